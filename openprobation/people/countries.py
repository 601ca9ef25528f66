"""Citizenship: ISO 3166-1 alpha-3 codes with their names, Kazakhstan first, then the countries
whose citizens the service meets most (Central Asia, the neighbours, the CIS), then the rest in
alphabetical order of their English names. The common ones have translated names; the others
show their English short name in every language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from openprobation.people.models import KAZAKHSTAN

# Translated: the countries a probation office commonly meets.
COMMON = [
    (KAZAKHSTAN, _("Kazakhstan")),
    ("RUS", _("Russia")),
    ("UZB", _("Uzbekistan")),
    ("KGZ", _("Kyrgyzstan")),
    ("TJK", _("Tajikistan")),
    ("TKM", _("Turkmenistan")),
    ("CHN", _("China")),
    ("MNG", _("Mongolia")),
    ("AZE", _("Azerbaijan")),
    ("ARM", _("Armenia")),
    ("GEO", _("Georgia")),
    ("BLR", _("Belarus")),
    ("UKR", _("Ukraine")),
    ("MDA", _("Moldova")),
    ("AFG", _("Afghanistan")),
    ("IRN", _("Iran")),
    ("PAK", _("Pakistan")),
    ("IND", _("India")),
    ("TUR", _("Turkey")),
    ("DEU", _("Germany")),
    ("KOR", _("South Korea")),
    ("USA", _("United States")),
    ("GBR", _("United Kingdom")),
    ("LTU", _("Lithuania")),
    ("LVA", _("Latvia")),
    ("EST", _("Estonia")),
    ("POL", _("Poland")),
    ("ISR", _("Israel")),
    ("ARE", _("United Arab Emirates")),
]

# The rest of ISO 3166-1, by English short name (shown as is).
OTHERS = [
    ("ALA", "Åland Islands"), ("ALB", "Albania"), ("DZA", "Algeria"), ("ASM", "American Samoa"),
    ("AND", "Andorra"), ("AGO", "Angola"), ("AIA", "Anguilla"), ("ATA", "Antarctica"),
    ("ATG", "Antigua and Barbuda"), ("ARG", "Argentina"), ("ABW", "Aruba"), ("AUS", "Australia"),
    ("AUT", "Austria"), ("BHS", "Bahamas"), ("BHR", "Bahrain"), ("BGD", "Bangladesh"), ("BRB", "Barbados"),
    ("BEL", "Belgium"), ("BLZ", "Belize"), ("BEN", "Benin"), ("BMU", "Bermuda"), ("BTN", "Bhutan"),
    ("BOL", "Bolivia"), ("BES", "Bonaire, Sint Eustatius and Saba"), ("BIH", "Bosnia and Herzegovina"),
    ("BWA", "Botswana"), ("BVT", "Bouvet Island"), ("BRA", "Brazil"), ("IOT", "British Indian Ocean Territory"),
    ("BRN", "Brunei Darussalam"), ("BGR", "Bulgaria"), ("BFA", "Burkina Faso"), ("BDI", "Burundi"),
    ("CPV", "Cabo Verde"), ("KHM", "Cambodia"), ("CMR", "Cameroon"), ("CAN", "Canada"), ("CYM", "Cayman Islands"),
    ("CAF", "Central African Republic"), ("TCD", "Chad"), ("CHL", "Chile"), ("CXR", "Christmas Island"),
    ("CCK", "Cocos (Keeling) Islands"), ("COL", "Colombia"), ("COM", "Comoros"), ("COG", "Congo"),
    ("COD", "Congo, Democratic Republic of the"), ("COK", "Cook Islands"), ("CRI", "Costa Rica"),
    ("CIV", "Côte d'Ivoire"), ("HRV", "Croatia"), ("CUB", "Cuba"), ("CUW", "Curaçao"), ("CYP", "Cyprus"),
    ("CZE", "Czechia"), ("DNK", "Denmark"), ("DJI", "Djibouti"), ("DMA", "Dominica"),
    ("DOM", "Dominican Republic"), ("ECU", "Ecuador"), ("EGY", "Egypt"), ("SLV", "El Salvador"),
    ("GNQ", "Equatorial Guinea"), ("ERI", "Eritrea"), ("SWZ", "Eswatini"), ("ETH", "Ethiopia"),
    ("FLK", "Falkland Islands (Malvinas)"), ("FRO", "Faroe Islands"), ("FJI", "Fiji"), ("FIN", "Finland"),
    ("FRA", "France"), ("GUF", "French Guiana"), ("PYF", "French Polynesia"), ("ATF", "French Southern Territories"),
    ("GAB", "Gabon"), ("GMB", "Gambia"), ("GHA", "Ghana"), ("GIB", "Gibraltar"), ("GRC", "Greece"),
    ("GRL", "Greenland"), ("GRD", "Grenada"), ("GLP", "Guadeloupe"), ("GUM", "Guam"), ("GTM", "Guatemala"),
    ("GGY", "Guernsey"), ("GIN", "Guinea"), ("GNB", "Guinea-Bissau"), ("GUY", "Guyana"), ("HTI", "Haiti"),
    ("HMD", "Heard Island and McDonald Islands"), ("VAT", "Holy See"), ("HND", "Honduras"), ("HKG", "Hong Kong"),
    ("HUN", "Hungary"), ("ISL", "Iceland"), ("IDN", "Indonesia"), ("IRQ", "Iraq"), ("IRL", "Ireland"),
    ("IMN", "Isle of Man"), ("ITA", "Italy"), ("JAM", "Jamaica"), ("JPN", "Japan"), ("JEY", "Jersey"),
    ("JOR", "Jordan"), ("KEN", "Kenya"), ("KIR", "Kiribati"), ("PRK", "Korea, Democratic People's Republic of"),
    ("KWT", "Kuwait"), ("LAO", "Lao People's Democratic Republic"), ("LBN", "Lebanon"), ("LSO", "Lesotho"),
    ("LBR", "Liberia"), ("LBY", "Libya"), ("LIE", "Liechtenstein"), ("LUX", "Luxembourg"), ("MAC", "Macao"),
    ("MDG", "Madagascar"), ("MWI", "Malawi"), ("MYS", "Malaysia"), ("MDV", "Maldives"), ("MLI", "Mali"),
    ("MLT", "Malta"), ("MHL", "Marshall Islands"), ("MTQ", "Martinique"), ("MRT", "Mauritania"),
    ("MUS", "Mauritius"), ("MYT", "Mayotte"), ("MEX", "Mexico"), ("FSM", "Micronesia"), ("MCO", "Monaco"),
    ("MNE", "Montenegro"), ("MSR", "Montserrat"), ("MAR", "Morocco"), ("MOZ", "Mozambique"), ("MMR", "Myanmar"),
    ("NAM", "Namibia"), ("NRU", "Nauru"), ("NPL", "Nepal"), ("NLD", "Netherlands"), ("NCL", "New Caledonia"),
    ("NZL", "New Zealand"), ("NIC", "Nicaragua"), ("NER", "Niger"), ("NGA", "Nigeria"), ("NIU", "Niue"),
    ("NFK", "Norfolk Island"), ("MKD", "North Macedonia"), ("MNP", "Northern Mariana Islands"), ("NOR", "Norway"),
    ("OMN", "Oman"), ("PLW", "Palau"), ("PSE", "Palestine, State of"), ("PAN", "Panama"),
    ("PNG", "Papua New Guinea"), ("PRY", "Paraguay"), ("PER", "Peru"), ("PHL", "Philippines"), ("PCN", "Pitcairn"),
    ("PRT", "Portugal"), ("PRI", "Puerto Rico"), ("QAT", "Qatar"), ("REU", "Réunion"), ("ROU", "Romania"),
    ("RWA", "Rwanda"), ("BLM", "Saint Barthélemy"), ("SHN", "Saint Helena, Ascension and Tristan da Cunha"),
    ("KNA", "Saint Kitts and Nevis"), ("LCA", "Saint Lucia"), ("MAF", "Saint Martin (French part)"),
    ("SPM", "Saint Pierre and Miquelon"), ("VCT", "Saint Vincent and the Grenadines"), ("WSM", "Samoa"),
    ("SMR", "San Marino"), ("STP", "Sao Tome and Principe"), ("SAU", "Saudi Arabia"), ("SEN", "Senegal"),
    ("SRB", "Serbia"), ("SYC", "Seychelles"), ("SLE", "Sierra Leone"), ("SGP", "Singapore"),
    ("SXM", "Sint Maarten (Dutch part)"), ("SVK", "Slovakia"), ("SVN", "Slovenia"), ("SLB", "Solomon Islands"),
    ("SOM", "Somalia"), ("ZAF", "South Africa"), ("SGS", "South Georgia and the South Sandwich Islands"),
    ("SSD", "South Sudan"), ("ESP", "Spain"), ("LKA", "Sri Lanka"), ("SDN", "Sudan"), ("SUR", "Suriname"),
    ("SJM", "Svalbard and Jan Mayen"), ("SWE", "Sweden"), ("CHE", "Switzerland"), ("SYR", "Syrian Arab Republic"),
    ("TWN", "Taiwan"), ("TZA", "Tanzania"), ("THA", "Thailand"), ("TLS", "Timor-Leste"), ("TGO", "Togo"),
    ("TKL", "Tokelau"), ("TON", "Tonga"), ("TTO", "Trinidad and Tobago"), ("TUN", "Tunisia"),
    ("TCA", "Turks and Caicos Islands"), ("TUV", "Tuvalu"), ("UGA", "Uganda"),
    ("UMI", "United States Minor Outlying Islands"), ("URY", "Uruguay"), ("VUT", "Vanuatu"), ("VEN", "Venezuela"),
    ("VNM", "Viet Nam"), ("VGB", "Virgin Islands (British)"), ("VIR", "Virgin Islands (U.S.)"),
    ("WLF", "Wallis and Futuna"), ("ESH", "Western Sahara"), ("YEM", "Yemen"), ("ZMB", "Zambia"), ("ZWE", "Zimbabwe"),
]  # fmt: skip

# The codes accepted as citizenship; a stateless person has the empty value.
CODES = frozenset(code for code, _name in (*COMMON, *OTHERS))


def citizenship_choices() -> list[tuple[str, object]]:
    """Kazakhstan first, the common countries, then the rest; the empty choice is "stateless"."""
    return [*COMMON, *OTHERS, ("", _("Stateless person"))]


def citizenship_name(code: str) -> object:
    if not code:
        return _("Stateless person")
    return dict((*COMMON, *OTHERS)).get(code, code)
