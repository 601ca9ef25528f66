from openprobation.cli import main

main()
