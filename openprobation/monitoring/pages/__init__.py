"""The web pages of electronic monitoring, one module per area: EM resolutions and the device's life
on a case (``resolutions``), the monitoring console and alert handling (``console``), the zone
editor and track playback on a map (``maps``), device inventory and health (``inventory``)."""
