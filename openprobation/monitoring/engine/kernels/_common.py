"""What the kernel modules share: Numba's options (compiled on first use, cached on disk) and the
array types."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

OPTS: dict[str, Any] = {"cache": True, "nogil": True}

# kinds (compiled.KINDS): inclusion 0 and home 1 are lenient, exclusion 2 and victim 3 strict
HOME = 1
