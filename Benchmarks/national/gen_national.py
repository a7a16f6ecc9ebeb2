#!/usr/bin/env python3
"""Synthetic police.uk street-level crime for England and Wales, and synthetic national LSOAs (issue 26, part 6).

    /usr/bin/python3 Benchmarks/national/gen_national.py --n 60e6 --out /work/national-data [--jobs 2] [--seed 26]

Writes, under OUT:
  YYYY-MM/YYYY-MM-<force-slug>-street.csv   for the 120 months 2016-01 … 2025-12 and the 43 forces of England and
                                            Wales (none for a force-month without rows, as police.uk), in police.uk's street CSV layout (header and value formats as the
                                            files police.uk's archives extract to);
  lsoa.geojson                              ~35,000 synthetic LSOA polygons (EPSG:27700 coordinates), and
  lsoa.gpkg                                 the same as GeoPackage (made by ogr2ogr when it is installed);
  manifest.json                             n, seed, rows per force, the numbers of map points and LSOAs.

Method (all seeded and deterministic: the same --n, --seed and --lsoas give byte-identical files, whatever --jobs):
- Rows per force in proportion to the force area's resident population (FORCES below), split over the 120 months
  with a mild seasonal cycle; every count is apportioned by largest remainder so that the total is exactly --n.
- Places: each force has a few settlement centres (approximate lon/lat of its main towns). police.uk publishes
  anonymised "map points" (≈ 750,000 nationally), not addresses; here each force gets map points in proportion to its
  population, drawn from a mixture of Gaussian clusters (σ 1.5–4 km) around its centres and a 15 % rural background
  uniform over the force's rough box (the centres' bounding box widened by 0.15°), every point clipped to that box.
  Each map point has a log-normal attractiveness (σ = 1) and an incident picks its map point in proportion to it, so
  incidents repeat on points as they do on police.uk.
- LSOAs: seeds drawn from the map points of each force (count ∝ population, --lsoas in all), codes E01000001… for
  seeds in the 39 English forces and W01000001… for the 4 Welsh ones, named "<nearest town> 001A"-style. The
  polygons are the Voronoi cells of the seeds (EPSG:27700) clipped to the outline = the union of the 43 force boxes;
  since every map point lies in that outline, a point's LSOA (the nearest seed) is the polygon that contains it.
- Columns: Crime ID a 64-hex random id (blank for anti-social behaviour, 20 % of rows, as on police.uk); Reported by =
  Falls within = the force's name; Longitude/Latitude with 6 decimals; "On or near <street>"; crime types and
  outcomes in the proportions of West Yorkshire's 2018-07 file (../shared/data/policeuk/west-yorkshire), anti-social
  behaviour raised to 20 %; 1 % of crimes have no location ("No Location", blank coordinates and LSOA), as police.uk has.

Population table: resident population per police force area after the ONS mid-year estimates (mid-2020; the Home
Office's per-head police figures use the same table), rounded to the nearest 10,000 and written here from those
published figures without a network to re-check them: approximate (a few per cent), 59.67 million in all. City of
London's 10,000 residents give it a tiny share; its real crime (commuters) is far larger.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

# (name as police.uk writes it in Reported by / Falls within, slug in file names, population, Welsh?,
#  [(town, lon, lat), …] main town first).
FORCES = [
    ("Avon and Somerset Constabulary", "avon-and-somerset", 1_730_000, False,
     [("Bristol", -2.59, 51.45), ("Bath", -2.36, 51.38), ("Weston-super-Mare", -2.98, 51.35), ("Taunton", -3.10, 51.02), ("Yeovil", -2.63, 50.94)]),
    ("Bedfordshire Police", "bedfordshire", 680_000, False,
     [("Luton", -0.42, 51.88), ("Bedford", -0.47, 52.14), ("Leighton Buzzard", -0.66, 51.92)]),
    ("Cambridgeshire Constabulary", "cambridgeshire", 860_000, False,
     [("Peterborough", -0.24, 52.57), ("Cambridge", 0.12, 52.21), ("Huntingdon", -0.18, 52.33), ("Wisbech", 0.16, 52.66)]),
    ("Cheshire Constabulary", "cheshire", 1_070_000, False,
     [("Warrington", -2.59, 53.39), ("Chester", -2.89, 53.19), ("Crewe", -2.44, 53.10), ("Macclesfield", -2.12, 53.26), ("Widnes", -2.73, 53.36)]),
    ("City of London Police", "city-of-london", 10_000, False,
     [("City of London", -0.092, 51.515)]),
    ("Cleveland Police", "cleveland", 570_000, False,
     [("Middlesbrough", -1.23, 54.57), ("Hartlepool", -1.21, 54.69), ("Stockton-on-Tees", -1.32, 54.57), ("Redcar", -1.06, 54.62)]),
    ("Cumbria Constabulary", "cumbria", 500_000, False,
     [("Carlisle", -2.93, 54.89), ("Barrow-in-Furness", -3.23, 54.11), ("Kendal", -2.75, 54.33), ("Workington", -3.55, 54.64)]),
    ("Derbyshire Constabulary", "derbyshire", 1_060_000, False,
     [("Derby", -1.48, 52.92), ("Chesterfield", -1.42, 53.24), ("Ilkeston", -1.31, 52.97), ("Buxton", -1.91, 53.26)]),
    ("Devon & Cornwall Police", "devon-and-cornwall", 1_800_000, False,
     [("Plymouth", -4.14, 50.38), ("Exeter", -3.53, 50.72), ("Torquay", -3.53, 50.46), ("Truro", -5.05, 50.26), ("Barnstaple", -4.06, 51.08), ("Camborne", -5.30, 50.21)]),
    ("Dorset Police", "dorset", 780_000, False,
     [("Bournemouth", -1.88, 50.72), ("Poole", -1.98, 50.72), ("Weymouth", -2.46, 50.61), ("Dorchester", -2.44, 50.71)]),
    ("Durham Constabulary", "durham", 640_000, False,
     [("Darlington", -1.55, 54.52), ("Durham", -1.57, 54.78), ("Bishop Auckland", -1.68, 54.66), ("Consett", -1.83, 54.85)]),
    ("Dyfed-Powys Police", "dyfed-powys", 520_000, True,
     [("Llanelli", -4.16, 51.68), ("Carmarthen", -4.31, 51.86), ("Aberystwyth", -4.08, 52.41), ("Haverfordwest", -4.97, 51.80), ("Newtown", -3.31, 52.51)]),
    ("Essex Police", "essex", 1_850_000, False,
     [("Southend-on-Sea", 0.71, 51.54), ("Chelmsford", 0.47, 51.74), ("Colchester", 0.90, 51.89), ("Basildon", 0.46, 51.58), ("Harlow", 0.11, 51.77)]),
    ("Gloucestershire Constabulary", "gloucestershire", 640_000, False,
     [("Gloucester", -2.24, 51.86), ("Cheltenham", -2.08, 51.90), ("Stroud", -2.22, 51.75)]),
    ("Greater Manchester Police", "greater-manchester", 2_840_000, False,
     [("Manchester", -2.24, 53.48), ("Bolton", -2.43, 53.58), ("Stockport", -2.16, 53.41), ("Wigan", -2.63, 53.55), ("Oldham", -2.12, 53.54), ("Rochdale", -2.16, 53.62), ("Salford", -2.29, 53.49)]),
    ("Gwent Police", "gwent", 600_000, True,
     [("Newport", -2.99, 51.58), ("Cwmbran", -3.02, 51.65), ("Ebbw Vale", -3.20, 51.78), ("Abergavenny", -3.02, 51.82)]),
    ("Hampshire Constabulary", "hampshire", 2_010_000, False,
     [("Southampton", -1.40, 50.91), ("Portsmouth", -1.09, 50.80), ("Basingstoke", -1.09, 51.27), ("Winchester", -1.31, 51.06), ("Isle of Wight", -1.29, 50.70)]),
    ("Hertfordshire Constabulary", "hertfordshire", 1_190_000, False,
     [("Watford", -0.40, 51.66), ("St Albans", -0.34, 51.75), ("Stevenage", -0.20, 51.90), ("Dacorum", -0.47, 51.75)]),
    ("Humberside Police", "humberside", 930_000, False,
     [("Kingston upon Hull", -0.33, 53.74), ("North East Lincolnshire", -0.08, 53.57), ("North Lincolnshire", -0.65, 53.59), ("East Riding of Yorkshire", -0.19, 54.08)]),
    ("Kent Police", "kent", 1_860_000, False,
     [("Medway", 0.53, 51.38), ("Maidstone", 0.52, 51.27), ("Canterbury", 1.08, 51.28), ("Dartford", 0.22, 51.45), ("Ashford", 0.87, 51.15), ("Folkestone and Hythe", 1.17, 51.08), ("Thanet", 1.39, 51.38)]),
    ("Lancashire Constabulary", "lancashire", 1_510_000, False,
     [("Preston", -2.70, 53.76), ("Blackpool", -3.05, 53.82), ("Blackburn with Darwen", -2.48, 53.75), ("Burnley", -2.24, 53.79), ("Lancaster", -2.80, 54.05)]),
    ("Leicestershire Police", "leicestershire", 1_100_000, False,
     [("Leicester", -1.13, 52.64), ("Charnwood", -1.20, 52.77), ("Hinckley and Bosworth", -1.37, 52.54), ("Rutland", -0.65, 52.66)]),
    ("Lincolnshire Police", "lincolnshire", 770_000, False,
     [("Lincoln", -0.54, 53.23), ("South Kesteven", -0.64, 52.91), ("Boston", -0.03, 52.98), ("East Lindsey", 0.34, 53.14)]),
    ("Merseyside Police", "merseyside", 1_430_000, False,
     [("Liverpool", -2.98, 53.41), ("Wirral", -3.02, 53.39), ("St. Helens", -2.73, 53.45), ("Sefton", -3.01, 53.65), ("Knowsley", -2.85, 53.45)]),
    ("Metropolitan Police Service", "metropolitan", 9_000_000, False,
     [("Westminster", -0.14, 51.50), ("Croydon", -0.10, 51.37), ("Newham", 0.00, 51.54), ("Ealing", -0.30, 51.51), ("Barnet", -0.20, 51.65),
      ("Lewisham", -0.02, 51.46), ("Havering", 0.18, 51.58), ("Kingston upon Thames", -0.30, 51.41), ("Haringey", -0.07, 51.60),
      ("Hounslow", -0.36, 51.47), ("Lambeth", -0.11, 51.46), ("Bromley", 0.01, 51.40), ("Camden", -0.14, 51.54), ("Hackney", -0.06, 51.55)]),
    ("Norfolk Constabulary", "norfolk", 910_000, False,
     [("Norwich", 1.30, 52.63), ("King's Lynn and West Norfolk", 0.40, 52.75), ("Great Yarmouth", 1.73, 52.61), ("Breckland", 0.75, 52.41)]),
    ("Northamptonshire Police", "northamptonshire", 750_000, False,
     [("Northampton", -0.90, 52.24), ("Kettering", -0.73, 52.40), ("Corby", -0.69, 52.49), ("Wellingborough", -0.69, 52.30)]),
    ("Northumbria Police", "northumbria", 1_470_000, False,
     [("Newcastle upon Tyne", -1.61, 54.98), ("Sunderland", -1.38, 54.91), ("Gateshead", -1.60, 54.95), ("South Tyneside", -1.43, 55.00), ("Northumberland", -1.51, 55.13)]),
    ("North Wales Police", "north-wales", 700_000, True,
     [("Wrexham", -2.99, 53.05), ("Conwy", -3.83, 53.32), ("Denbighshire", -3.49, 53.32), ("Gwynedd", -4.13, 53.23), ("Isle of Anglesey", -4.63, 53.31)]),
    ("North Yorkshire Police", "north-yorkshire", 830_000, False,
     [("York", -1.08, 53.96), ("Harrogate", -1.54, 54.00), ("Scarborough", -0.40, 54.28), ("Hambleton", -1.43, 54.34), ("Selby", -1.07, 53.78)]),
    ("Nottinghamshire Police", "nottinghamshire", 1_160_000, False,
     [("Nottingham", -1.15, 52.95), ("Mansfield", -1.20, 53.14), ("Bassetlaw", -1.12, 53.30), ("Newark and Sherwood", -0.81, 53.08)]),
    ("South Wales Police", "south-wales", 1_340_000, True,
     [("Cardiff", -3.18, 51.48), ("Swansea", -3.94, 51.62), ("Bridgend", -3.58, 51.50), ("Merthyr Tydfil", -3.38, 51.75), ("Rhondda Cynon Taf", -3.34, 51.60)]),
    ("South Yorkshire Police", "south-yorkshire", 1_420_000, False,
     [("Sheffield", -1.47, 53.38), ("Doncaster", -1.13, 53.52), ("Rotherham", -1.36, 53.43), ("Barnsley", -1.48, 53.55)]),
    ("Staffordshire Police", "staffordshire", 1_140_000, False,
     [("Stoke-on-Trent", -2.18, 53.00), ("Stafford", -2.12, 52.81), ("East Staffordshire", -1.64, 52.80), ("Tamworth", -1.69, 52.63), ("Cannock Chase", -2.03, 52.69)]),
    ("Suffolk Constabulary", "suffolk", 760_000, False,
     [("Ipswich", 1.16, 52.06), ("West Suffolk", 0.71, 52.25), ("East Suffolk", 1.75, 52.48)]),
    ("Surrey Police", "surrey", 1_200_000, False,
     [("Guildford", -0.57, 51.24), ("Woking", -0.56, 51.32), ("Epsom and Ewell", -0.27, 51.33), ("Reigate and Banstead", -0.17, 51.24), ("Spelthorne", -0.51, 51.43)]),
    ("Sussex Police", "sussex", 1_710_000, False,
     [("Brighton and Hove", -0.14, 50.82), ("Crawley", -0.19, 51.11), ("Eastbourne", 0.28, 50.77), ("Worthing", -0.37, 50.82), ("Hastings", 0.57, 50.86), ("Chichester", -0.78, 50.84)]),
    ("Thames Valley Police", "thames-valley", 2_440_000, False,
     [("Milton Keynes", -0.76, 52.04), ("Reading", -0.97, 51.45), ("Oxford", -1.26, 51.75), ("Slough", -0.59, 51.51), ("Wycombe", -0.75, 51.63), ("Aylesbury Vale", -0.81, 51.82), ("Cherwell", -1.34, 52.06)]),
    ("Warwickshire Police", "warwickshire", 580_000, False,
     [("Nuneaton and Bedworth", -1.47, 52.52), ("Rugby", -1.26, 52.37), ("Warwick", -1.54, 52.29), ("Stratford-on-Avon", -1.71, 52.19)]),
    ("West Mercia Police", "west-mercia", 1_300_000, False,
     [("Telford and Wrekin", -2.45, 52.68), ("Worcester", -2.22, 52.19), ("Shropshire", -2.75, 52.71), ("Herefordshire", -2.72, 52.06), ("Wyre Forest", -2.25, 52.39), ("Redditch", -1.94, 52.31)]),
    ("West Midlands Police", "west-midlands", 2_940_000, False,
     [("Birmingham", -1.90, 52.48), ("Coventry", -1.51, 52.41), ("Wolverhampton", -2.13, 52.59), ("Walsall", -1.98, 52.59), ("Dudley", -2.08, 52.51), ("Solihull", -1.78, 52.41), ("Sandwell", -2.00, 52.52)]),
    ("West Yorkshire Police", "west-yorkshire", 2_340_000, False,
     [("Leeds", -1.55, 53.80), ("Bradford", -1.75, 53.79), ("Wakefield", -1.50, 53.68), ("Kirklees", -1.78, 53.65), ("Calderdale", -1.86, 53.72)]),
    ("Wiltshire Police", "wiltshire", 730_000, False,
     [("Swindon", -1.78, 51.56), ("Salisbury", -1.79, 51.07), ("Chippenham", -2.12, 51.46), ("Trowbridge", -2.21, 51.32)]),
]

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")

# Crime types: West Yorkshire 2018-07 counts (../shared/data/policeuk/west-yorkshire), without anti-social behaviour,
# which is set to ASB_SHARE of all rows.
CRIME_COUNTS = [("Violence and sexual offences", 10358), ("Public order", 3043), ("Criminal damage and arson", 2716),
                ("Other theft", 2242), ("Burglary", 2029), ("Vehicle crime", 1955), ("Shoplifting", 1485),
                ("Other crime", 667), ("Drugs", 525), ("Robbery", 327), ("Theft from the person", 317),
                ("Bicycle theft", 303), ("Possession of weapons", 226)]
ASB = "Anti-social behaviour"
ASB_SHARE = 0.20
NO_LOCATION_SHARE = 0.01
# Last outcome category of crimes, West Yorkshire 2018-07 counts.
OUTCOME_COUNTS = [("Unable to prosecute suspect", 10806), ("Investigation complete; no suspect identified", 10185),
                  ("Status update unavailable", 2261), ("Local resolution", 502), ("Court result unavailable", 438),
                  ("Awaiting court outcome", 287), ("Offender sent to prison", 282), ("Offender given a caution", 230),
                  ("Offender given community sentence", 216), ("Action to be taken by another organisation", 215),
                  ("Defendant found not guilty", 184), ("Further investigation is not in the public interest", 173),
                  ("Court case unable to proceed", 113), ("Offender fined", 80), ("Offender given conditional discharge", 63),
                  ("Offender given suspended prison sentence", 62), ("Formal action is not in the public interest", 44),
                  ("Offender otherwise dealt with", 24), ("Offender ordered to pay compensation", 13),
                  ("Suspect charged as part of another case", 7), ("Offender deprived of property", 5),
                  ("Offender given absolute discharge", 3)]
MONTHS = [f"{y}-{m:02d}" for y in range(2016, 2026) for m in range(1, 13)]
STREET_STEMS = ("Church Mill Station High Park Victoria Albert King Queen North South East West New Green Manor Grange "
                "Orchard Chapel School Bridge Castle Market Meadow Oak Elm Ash Beech Willow Cedar Birch Holly Rose "
                "Windsor York Cambridge Oxford Richmond Warwick Stanley Nelson Wellington Albion Mount Hill Field "
                "Brook Spring Well Cross Moor Heath Wood Forest Valley Riverside Canal Lake Abbey Priory Hall Farm "
                "Kingsway Elmwood Fairfield Highfield Springfield Westfield Ashfield Brookfield Greenway Hawthorn "
                "Lime Maple Poplar Chestnut Sycamore Laurel Ivy Heather Primrose Bluebell Lavender Clover Meadowbank "
                "Shakespeare Milton Byron Tennyson Chaucer Wordsworth Darwin Newton Cromwell Churchill Gladstone "
                "Peel Palmerston Grosvenor Cavendish Russell Bedford Devonshire Portland Clarence Regent Coronation "
                "Jubilee Empress Alexandra Princess Prince Duke Earl Baron Bishop Dean Vicarage Rectory Glebe").split()
STREET_SUFFIXES = ["Street", "Road", "Lane", "Avenue", "Close", "Drive", "Way", "Grove", "Crescent", "Place",
                   "Gardens", "Terrace", "Court", "Walk", "Rise", "View"]
PLACE_NAMES = ["Supermarket", "Parking Area", "Shopping Area", "Petrol Station", "Sports/Recreation Area",
               "Pedestrian Subway", "Nightclub", "Conference/Exhibition Centre", "Further/Higher Educational Building",
               "Hospital", "Police Station", "Bus/Coach Station", "Theatre/Concert Hall", "Park/Open Space"]
NATIONAL_MAP_POINTS = 750_000


def apportion(total, weights):
    """Integers ∝ weights summing exactly to total (largest remainder, ties by index)."""
    w = np.asarray(weights, dtype=np.float64)
    exact = total * w / w.sum()
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    if rest:
        order = np.lexsort((np.arange(len(w)), -(exact - base)))
        base[order[:rest]] += 1
    return base


def month_counts(n):
    """Rows per force (∝ population) and per month × force (a mild seasonal cycle, summer peak); both sum to n."""
    per_force = apportion(n, [f[2] for f in FORCES])
    season = 1.0 + 0.08 * np.sin(2 * np.pi * (np.arange(len(MONTHS)) % 12 - 3) / 12)
    return per_force, np.stack([apportion(int(c), season) for c in per_force], axis=1)


def force_box(towns):
    lon = np.array([t[1] for t in towns]); lat = np.array([t[2] for t in towns])
    pad = 0.15 if len(towns) > 1 else 0.01
    return lon.min() - pad, lat.min() - pad, lon.max() + pad, lat.max() + pad


def map_points(rng, towns, m):
    """m points (lon, lat) for one force: Gaussian clusters around its towns plus a 15 % rural background."""
    x0, y0, x1, y1 = force_box(towns)
    k = len(towns)
    tw = 1.0 / (np.arange(k) + 1.0) ** 0.7             # main town first, the others smaller
    rural = int(round(m * 0.15)) if k > 1 else 0
    per_town = apportion(m - rural, tw)
    lon, lat = [], []
    for (name, tlon, tlat), c in zip(towns, per_town):
        sigma_km = rng.uniform(1.5, 4.0) if k > 1 else 0.4
        lat.append(tlat + rng.normal(0, sigma_km / 111.0, c))
        lon.append(tlon + rng.normal(0, sigma_km / (111.0 * np.cos(np.radians(tlat))), c))
    lon.append(rng.uniform(x0, x1, rural)); lat.append(rng.uniform(y0, y1, rural))
    lon = np.clip(np.concatenate(lon), x0, x1); lat = np.clip(np.concatenate(lat), y0, y1)
    return np.round(lon, 6), np.round(lat, 6)


def build_places(seed, n_lsoa):
    """Map points of every force and the LSOA seeds: arrays shared by the writer and the LSOA layer."""
    from pyproj import Transformer
    from scipy.spatial import cKDTree
    pops = np.array([f[2] for f in FORCES])
    mp_counts = apportion(NATIONAL_MAP_POINTS, pops)
    lsoa_counts = np.maximum(apportion(n_lsoa, pops), 1)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    forces = []
    seeds_xy, seeds_code, seeds_name = [], [], []
    e_next, w_next = 1, 1
    town_number = {}
    for fi, (name, slug, pop, welsh, towns) in enumerate(FORCES):
        rng = np.random.default_rng([seed, 1, fi])
        lon, lat = map_points(rng, towns, int(mp_counts[fi]))
        x, y = to_bng.transform(lon, lat)
        weight = rng.lognormal(0.0, 1.0, len(lon))
        street = rng.integers(0, len(STREET_STEMS) * len(STREET_SUFFIXES), len(lon))
        place = rng.random(len(lon)) < 0.06
        # LSOA seeds: a subset of this force's map points (population-weighted, as the map points are)
        pick = rng.choice(len(lon), int(lsoa_counts[fi]), replace=False)
        pick.sort()
        txy = np.array(to_bng.transform([t[1] for t in towns], [t[2] for t in towns])).T
        nearest_town = cKDTree(txy).query(np.c_[x[pick], y[pick]])[1]
        for t in nearest_town:
            tname = towns[t][0]
            c = town_number.get(tname, 0)
            town_number[tname] = c + 1
            seeds_name.append(f"{tname} {c // 4 + 1:03d}{'ABCD'[c % 4]}")
            if welsh:
                seeds_code.append(f"W01{w_next:06d}"); w_next += 1
            else:
                seeds_code.append(f"E01{e_next:06d}"); e_next += 1
        seeds_xy.append(np.c_[x[pick], y[pick]])
        forces.append(dict(lon=lon, lat=lat, x=np.asarray(x), y=np.asarray(y), weight=weight, street=street, place=place))
    seeds_xy = np.concatenate(seeds_xy)
    tree = cKDTree(seeds_xy)
    for f in forces:
        f["lsoa"] = tree.query(np.c_[f["x"], f["y"]])[1]
    return forces, seeds_xy, seeds_code, seeds_name


def point_strings(f, codes, names):
    """'lon,lat,On or near …,LSOA code,LSOA name' per map point (quoted where police.uk quotes)."""
    out = []
    ns = len(STREET_SUFFIXES)
    for lon, lat, st, pl, li in zip(f["lon"].tolist(), f["lat"].tolist(), f["street"].tolist(), f["place"].tolist(), f["lsoa"].tolist()):
        loc = "On or near " + (PLACE_NAMES[st % len(PLACE_NAMES)] if pl else f"{STREET_STEMS[st // ns]} {STREET_SUFFIXES[st % ns]}")
        nm = names[li]
        if "," in nm:
            nm = '"' + nm + '"'
        out.append(f"{lon:.6f},{lat:.6f},{loc},{codes[li]},{nm}")
    return out


def csv_field(s):
    return '"' + s.replace('"', '""') + '"' if ("," in s or '"' in s) else s


# Per-process state for the writer jobs (built once per process from the same seed: deterministic).
_STATE = {}


def _init(seed, n_lsoa):
    forces, _, codes, names = build_places(seed, n_lsoa)
    _STATE["forces"] = forces
    _STATE["points"] = [point_strings(f, codes, names) for f in forces]
    _STATE["cum"] = [np.cumsum(f["weight"]) / f["weight"].sum() for f in forces]


def write_month(args):
    """Writes the 43 force files of one month; returns the rows per force."""
    out, seed, mi, counts = args
    month = MONTHS[mi]
    d = os.path.join(out, month)
    os.makedirs(d, exist_ok=True)
    ctypes = [c for c, _ in CRIME_COUNTS]
    cp = np.array([n for _, n in CRIME_COUNTS], dtype=np.float64); cp = cp / cp.sum() * (1 - ASB_SHARE)
    type_p = np.concatenate([[ASB_SHARE], cp]); type_names = [ASB] + ctypes
    oc = np.array([n for _, n in OUTCOME_COUNTS], dtype=np.float64); oc_cum = np.cumsum(oc) / oc.sum()
    tails = {}
    for ti, t in enumerate(type_names):
        for oi in range(len(OUTCOME_COUNTS)):
            tails[(ti, oi)] = f"{csv_field(t)},{csv_field(OUTCOME_COUNTS[oi][0]) if ti else ''},"
    for fi, (name, slug, pop, welsh, towns) in enumerate(FORCES):
        n = int(counts[fi])
        if n == 0:  # police.uk publishes no file for a force-month without rows (and hotspot refuses two identical files)
            continue
        rng = np.random.default_rng([seed, 2, fi, mi])
        pts = _STATE["points"][fi]
        idx = np.searchsorted(_STATE["cum"][fi], rng.random(n), side="right")
        np.minimum(idx, len(pts) - 1, out=idx)
        ty = np.searchsorted(np.cumsum(type_p), rng.random(n), side="right")
        np.minimum(ty, len(type_names) - 1, out=ty)
        oi = np.minimum(np.searchsorted(oc_cum, rng.random(n), side="right"), len(OUTCOME_COUNTS) - 1)
        noloc = (rng.random(n) < NO_LOCATION_SHARE) & (ty > 0)
        hexes = rng.bytes(32 * n).hex()
        prefix = f"{month},{csv_field(name)},{csv_field(name)},"
        lines = [HEADER]
        for r, (p, t, o, nl) in enumerate(zip(idx.tolist(), ty.tolist(), oi.tolist(), noloc.tolist())):
            cid = hexes[64 * r:64 * r + 64] if t else ""
            loc = ",,No Location,," if nl else pts[p]
            lines.append(f"{cid},{prefix}{loc},{tails[(t, o)]}")
        lines.append("")
        path = os.path.join(d, f"{month}-{slug}-street.csv")
        tmp = path + ".part"
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write("\n".join(lines))
        os.replace(tmp, path)
    return [int(c) for c in counts]


def write_lsoas(out, seeds_xy, codes, names):
    """Voronoi cells of the seeds clipped to the union of the force boxes, as GeoJSON (EPSG:27700) and GeoPackage."""
    from pyproj import Transformer
    from shapely.geometry import MultiPoint, Polygon, box, mapping
    from shapely.ops import unary_union, voronoi_diagram
    from shapely.prepared import prep
    from scipy.spatial import cKDTree
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    boxes = []
    for f in FORCES:
        x0, y0, x1, y1 = force_box(f[4])
        # the box's edges in BNG are slightly curved: densify its outline so that it contains every clipped point
        ring = list(zip(np.linspace(x0, x1, 40), [y0] * 40)) + list(zip([x1] * 40, np.linspace(y0, y1, 40))) + \
            list(zip(np.linspace(x1, x0, 40), [y1] * 40)) + list(zip([x0] * 40, np.linspace(y1, y0, 40)))
        bx, by = to_bng.transform([p[0] for p in ring], [p[1] for p in ring])
        boxes.append(Polygon(list(zip(bx, by))).buffer(50))
    outline = unary_union(boxes)
    env = box(*outline.buffer(10_000).bounds)
    cells = voronoi_diagram(MultiPoint([tuple(p) for p in seeds_xy]), envelope=env)
    tree = cKDTree(seeds_xy)
    poutline = prep(outline)
    polys = [None] * len(seeds_xy)
    for cell in cells.geoms:
        rp = cell.representative_point()
        i = tree.query([rp.x, rp.y])[1]
        polys[i] = cell if poutline.contains(cell) else cell.intersection(outline)
    feats = []
    for i, g in enumerate(polys):
        if g is None or g.is_empty:
            continue
        gm = mapping(g)
        rnd = lambda ring: [[round(x, 1), round(y, 1)] for x, y in ring]
        if gm["type"] == "Polygon":
            gm = {"type": "Polygon", "coordinates": [rnd(r) for r in gm["coordinates"]]}
        elif gm["type"] == "MultiPolygon":
            gm = {"type": "MultiPolygon", "coordinates": [[rnd(r) for r in p] for p in gm["coordinates"]]}
        else:  # a GeometryCollection from a degenerate clip: keep its polygons
            parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
            gm = mapping(unary_union(parts)) if parts else None
            if gm is None:
                continue
        feats.append({"type": "Feature", "properties": {"LSOA21CD": codes[i], "LSOA21NM": names[i]}, "geometry": gm})
    gj = os.path.join(out, "lsoa.geojson")
    with open(gj + ".part", "w") as fh:
        json.dump({"type": "FeatureCollection", "name": "lsoa",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                   "features": feats}, fh, separators=(",", ":"))
    os.replace(gj + ".part", gj)
    gpkg = os.path.join(out, "lsoa.gpkg")
    if shutil.which("ogr2ogr"):
        if os.path.exists(gpkg + ".part.gpkg"):
            os.remove(gpkg + ".part.gpkg")
        subprocess.run(["ogr2ogr", "-q", "--config", "OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z", "-f", "GPKG", "-a_srs", "EPSG:27700", "-nln", "lsoa", gpkg + ".part.gpkg", gj],
                       check=True)
        os.replace(gpkg + ".part.gpkg", gpkg)
    else:
        print("ogr2ogr not found: lsoa.gpkg not written (lsoa.geojson is)", file=sys.stderr)
    return len(feats)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=60e6, help="rows in all (default 60e6)")
    ap.add_argument("--out", required=True, help="output folder (created)")
    ap.add_argument("--seed", type=int, default=26)
    ap.add_argument("--lsoas", type=int, default=35_000, help="synthetic LSOAs (default 35,000)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="writer processes")
    ap.add_argument("--no-lsoa", action="store_true", help="skip the LSOA layer")
    a = ap.parse_args()
    n = int(a.n)
    os.makedirs(a.out, exist_ok=True)
    t0 = time.time()
    per_force, counts = month_counts(n)
    tasks = [(a.out, a.seed, mi, counts[mi]) for mi in range(len(MONTHS))]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs, initializer=_init, initargs=(a.seed, a.lsoas)) as ex:
            for _ in ex.map(write_month, tasks):
                pass
    else:
        _init(a.seed, a.lsoas)
        for t in tasks:
            write_month(t)
    t_csv = time.time() - t0
    n_lsoa = None
    if not a.no_lsoa:
        _, seeds_xy, codes, names = build_places(a.seed, a.lsoas)
        n_lsoa = write_lsoas(a.out, seeds_xy, codes, names)
    manifest = {"n": n, "seed": a.seed, "months": [MONTHS[0], MONTHS[-1]], "forces": len(FORCES),
                "rows_per_force": {f[1]: int(c) for f, c in zip(FORCES, per_force)},
                "population_per_force": {f[1]: f[2] for f in FORCES},
                "map_points": NATIONAL_MAP_POINTS, "lsoas": n_lsoa,
                "seconds_csv": round(t_csv, 1), "seconds_total": round(time.time() - t0, 1)}
    with open(os.path.join(a.out, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    print(f"{n} rows, {len(MONTHS)} months × {len(FORCES)} forces in {t_csv:.1f} s; {n_lsoa} LSOAs; "
          f"total {time.time() - t0:.1f} s → {a.out}")


if __name__ == "__main__":
    main()
