"""Street points of Kazakh cities for simulated traces: named crossings and places (coordinates
rounded to about a hundred metres), a polygon believable as "the city" (the inclusion zone of a
simulated person), and forbidden places (a school, a bar street, a victim's address: invented
addresses on real streets) that become exclusion zones.

Plain data written for the simulator; ``region`` is the code of the demo region the city belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LatLon = tuple[float, float]


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class City:
    key: str
    name: str
    region: str
    time_zone: str
    points: tuple[Place, ...]
    boundary: tuple[LatLon, ...]  # (lat, lon) ring, not closed
    forbidden: tuple[Place, ...]

    def boundary_geojson(self) -> dict[str, Any]:
        ring = [[lon, lat] for lat, lon in self.boundary]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


ALMATY = City(
    key="almaty",
    name="Almaty",
    region="ALA",
    time_zone="Asia/Almaty",
    points=(
        Place("Abai d. × Dostyk d.", 43.2389, 76.9560),
        Place("Abai d. × Nazarbaev d.", 43.2396, 76.9482),
        Place("Abai d. × Abylai khan d.", 43.2402, 76.9436),
        Place("Abai d. × Baitursynuly k.", 43.2405, 76.9268),
        Place("Abai d. × Auezov k.", 43.2408, 76.9093),
        Place("Abai d. × Rozybakiev k.", 43.2399, 76.8878),
        Place("Abai d. × Saina k.", 43.2389, 76.8527),
        Place("Respublika alany", 43.2385, 76.9451),
        Place("Tole bi k. × Abylai khan d.", 43.2552, 76.9430),
        Place("Tole bi k. × Zheltoksan k.", 43.2550, 76.9380),
        Place("Tole bi k. × Auezov k.", 43.2548, 76.9110),
        Place("Tole bi k. × Momyshuly k.", 43.2530, 76.8530),
        Place("Zhibek zholy k. × Panfilov k. (Arbat)", 43.2615, 76.9455),
        Place("Zelenyi bazar (Zhibek zholy k. × Pushkin k.)", 43.2627, 76.9530),
        Place("Panfilov saiabagy (Gogol k.)", 43.2587, 76.9536),
        Place("Raiymbek d. × Abylai khan d.", 43.2705, 76.9440),
        Place("Raiymbek d. × Seifullin d.", 43.2710, 76.9350),
        Place("Raiymbek d. × Momyshuly k.", 43.2690, 76.8490),
        Place("Almaty-2 vokzaly (Abylai khan d.)", 43.2741, 76.9411),
        Place("Satpaev k. × Baitursynuly k.", 43.2357, 76.9265),
        Place("Satpaev k. × Auezov k.", 43.2362, 76.9090),
        Place("Satpaev k. × Zharokov k.", 43.2360, 76.8975),
        Place("Timiryazev k. × Auezov k. (Atakent)", 43.2262, 76.9070),
        Place("Al-Farabi d. × Nazarbaev d. (Esentai)", 43.2182, 76.9278),
        Place("Al-Farabi d. × Rozybakiev k. (Mega)", 43.2030, 76.8920),
        Place("Al-Farabi d. × Dostyk d.", 43.2235, 76.9555),
        Place("Zhandosov k. × Auezov k.", 43.2275, 76.9045),
        Place("Zhandosov k. × Saina k.", 43.2240, 76.8560),
        Place("Suyunbai d. × Raiymbek d.", 43.2700, 76.9610),
        Place("Suyunbai d. × Bekmakhanov k.", 43.2890, 76.9580),
        Place("Almaty-1 vokzaly (Turksib)", 43.3420, 76.9495),
        Place("Kulager yqshamaudany (Rysqulov d.)", 43.2880, 76.8950),
        Place("Aksai-4 (Momyshuly k.)", 43.2330, 76.8420),
        Place("Orbita-1 (Navoi k.)", 43.2120, 76.8720),
        Place("Kok-tobe koterg. (Dostyk d.)", 43.2440, 76.9570),
    ),
    boundary=(
        (43.3520, 76.9300),
        (43.3470, 76.9800),
        (43.3100, 76.9950),
        (43.2800, 76.9950),
        (43.2500, 76.9900),
        (43.2250, 76.9800),
        (43.2000, 76.9650),
        (43.1900, 76.9300),
        (43.1850, 76.8900),
        (43.1950, 76.8500),
        (43.2100, 76.8200),
        (43.2400, 76.8150),
        (43.2700, 76.8200),
        (43.2950, 76.8500),
        (43.3150, 76.8850),
        (43.3350, 76.9050),
    ),
    forbidden=(
        Place("Mektep-gimnaziia (Zheltoksan k. 120, invented)", 43.2480, 76.9385),
        Place("Barlar koshesi (Zhibek zholy k. 50–60, invented)", 43.2620, 76.9350),
        Place("Zhabirlenushinin uii (Zhandosov k. 140, invented)", 43.2250, 76.8700),
        Place("Mektep (Satpaev k. 66, invented)", 43.2365, 76.8800),
        Place("Tungi klub (Gogol k. 30, invented)", 43.2595, 76.9600),
    ),
)

ASTANA = City(
    key="astana",
    name="Astana",
    region="AST",
    time_zone="Asia/Almaty",
    points=(
        Place("Bayterek (Nurzhol bulvary)", 51.1283, 71.4305),
        Place("Khan Shatyr (Turan d.)", 51.1326, 71.4036),
        Place("Ak Orda (Mangilik El d.)", 51.1257, 71.4463),
        Place("Beibitshilik zhane kelisim sarayy", 51.1233, 71.4636),
        Place("Hazret Sultan meshiti", 51.1254, 71.4720),
        Place("Kabanbay batyr d. × Turan d.", 51.1200, 71.4165),
        Place("Kabanbay batyr d. × Syganak k.", 51.1180, 71.4270),
        Place("Kabanbay batyr d. × Khusein ben Talal k.", 51.1005, 71.4185),
        Place("Nazarbayev Universitety (Kabanbay batyr d. 53)", 51.0906, 71.3984),
        Place("EXPO (Mangilik El d.)", 51.0894, 71.4159),
        Place("Mega Silk Way (Kabanbay batyr d.)", 51.0887, 71.4097),
        Place("Turan d. × Kenesary k.", 51.1405, 71.4000),
        Place("Turan d. × Saryarka d.", 51.1420, 71.4080),
        Place("Astana Arena (Turan d.)", 51.1083, 71.4024),
        Place("Duman (Kabanbay batyr d. × Korgalzhyn tas zholy)", 51.1463, 71.4169),
        Place("Respublika d. × Abai d.", 51.1660, 71.4300),
        Place("Respublika d. × Seifullin k.", 51.1725, 71.4290),
        Place("Respublika d. × Kenesary k.", 51.1605, 71.4315),
        Place("Abai d. × Pobedy d.", 51.1640, 71.4480),
        Place("Bogenbai batyr d. × Pobedy d.", 51.1740, 71.4470),
        Place("Seifullin k. × Auezov k.", 51.1740, 71.4150),
        Place("Saryarka d. × Respublika d.", 51.1510, 71.4330),
        Place("Ortalyq saiabaq (Kenesary k.)", 51.1540, 71.4300),
        Place("Astana-1 vokzaly (Gabdullin k.)", 51.1955, 71.4085),
        Place("Nurly Zhol vokzaly", 51.1120, 71.5310),
        Place("Tauelsizdik d. × Ualikhanov k.", 51.1470, 71.4880),
        Place("Shymkent k. (Baikonur aud.)", 51.1850, 71.4400),
        Place("Tlendiev d. × Kudaibergen k.", 51.1520, 71.3700),
    ),
    boundary=(
        (51.2150, 71.3700),
        (51.2150, 71.4400),
        (51.2000, 71.4900),
        (51.1750, 71.5300),
        (51.1400, 71.5600),
        (51.1050, 71.5500),
        (51.0800, 71.5000),
        (51.0700, 71.4400),
        (51.0750, 71.3800),
        (51.0950, 71.3400),
        (51.1300, 71.3300),
        (51.1650, 71.3400),
        (51.1950, 71.3450),
    ),
    forbidden=(
        Place("Mektep-litsei (Kenesary k. 40, invented)", 51.1580, 71.4420),
        Place("Barlar koshesi (Dostyk k., invented)", 51.1270, 71.4260),
        Place("Zhabirlenushinin uii (Kabanbay batyr d. 30, invented)", 51.1150, 71.4300),
        Place("Mektep (Auezov k. 55, invented)", 51.1700, 71.4100),
        Place("Tungi klub (Mangilik El d., invented)", 51.1030, 71.4320),
    ),
)

SHYMKENT = City(
    key="shymkent",
    name="Shymkent",
    region="SHY",
    time_zone="Asia/Almaty",
    points=(
        Place("Tauke khan d. × Respublika d.", 42.3175, 69.5980),
        Place("Tauke khan d. × Kunaev d.", 42.3180, 69.5870),
        Place("Tauke khan d. × Baiterek k.", 42.3170, 69.6080),
        Place("Tauke khan d. × Abai d.", 42.3160, 69.5740),
        Place("Ordabasy alany", 42.3155, 69.5962),
        Place("Al-Farabi alany", 42.3225, 69.5975),
        Place("Ortalyq saiabaq (Kazybek bi k.)", 42.3200, 69.5940),
        Place("Respublika d. × Baitursynov k.", 42.3290, 69.5995),
        Place("Respublika d. × Kazybek bi k.", 42.3100, 69.5990),
        Place("Shymkent vokzaly (Tole bi k.)", 42.3048, 69.6035),
        Place("Tole bi k. × Baiterek k.", 42.3060, 69.6130),
        Place("Tole bi k. × Kunaev d.", 42.3065, 69.5880),
        Place("Kunaev d. × Baitursynov k.", 42.3300, 69.5870),
        Place("Tauelsizdik saiabagy", 42.3330, 69.5880),
        Place("Dendropark (Baiterek k.)", 42.3325, 69.6140),
        Place("Ekinshi qalalyq aurukhana (Abai d.)", 42.3250, 69.5720),
        Place("Samal-2 (Momyshuly d.)", 42.3400, 69.6050),
        Place("Nursat (Nursultan Nazarbaev d.)", 42.3540, 69.6200),
        Place("Shapaghat bazary (Tashkent tas zholy)", 42.2960, 69.5750),
        Place("Koktem (Zhibek zholy k.)", 42.3010, 69.6250),
        Place("Karasu (Baidibek bi d.)", 42.3460, 69.5800),
        Place("Asyl Arman (Kuldzha tas zholy)", 42.3350, 69.6400),
        Place("Tynybaev k. × Respublika d.", 42.3360, 69.6000),
        Place("Ilyaev k. × Tole bi k.", 42.3030, 69.5950),
        Place("Kazygurt (Eltai k.)", 42.2900, 69.6000),
    ),
    boundary=(
        (42.3750, 69.5900),
        (42.3700, 69.6350),
        (42.3620, 69.6520),
        (42.3500, 69.6650),
        (42.3200, 69.6700),
        (42.2900, 69.6550),
        (42.2750, 69.6200),
        (42.2750, 69.5800),
        (42.2850, 69.5500),
        (42.3100, 69.5350),
        (42.3400, 69.5400),
        (42.3650, 69.5600),
    ),
    forbidden=(
        Place("Mektep-gimnaziia (Baitursynov k. 20, invented)", 42.3280, 69.5930),
        Place("Barlar koshesi (Kazybek bi k., invented)", 42.3120, 69.6060),
        Place("Zhabirlenushinin uii (Tole bi k. 90, invented)", 42.3080, 69.5800),
        Place("Mektep (Momyshuly d. 12, invented)", 42.3440, 69.6120),
        Place("Tungi klub (Tauke khan d., invented)", 42.3190, 69.6180),
    ),
)

CITIES: dict[str, City] = {c.key: c for c in (ALMATY, ASTANA, SHYMKENT)}
BY_REGION: dict[str, City] = {c.region: c for c in CITIES.values()}
