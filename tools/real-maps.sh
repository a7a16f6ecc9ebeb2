#!/usr/bin/env bash
# Every map kind on the real Lewisham data in ../shared with its context layers (major roads, stations, town centres):
# kde (borough, and zoomed on two wards with stacked points), Gi* on LSOAs and on a grid, emerging, area rates (wards
# and LSOAs), grid counts. Usage: tools/real-maps.sh path/to/hotspot OUT_DIR   (then tools/check_labels.py OUT_DIR/*/*.svg)
set -euo pipefail
B="$1"; S="${HOTSPOT_SHARED:-../shared}"; L=$S/geodata/lewisham; C=$L/context; O="$2"
mkdir -p $O
CTX=(--context roads=$C/major-roads-dft-mrn-2018.gpkg --context-attribution "roads=Context: DfT Major Road Network 2018, OGL v3.0." --context stations=$C/stations-osm-2024-11.geojson --context towns=$C/town-centres.geojson --context-attribution "towns=Context: London Plan town centres, GLA, OGL v3.0.")
BUR=($S/data/policeuk/met-burglary-lewisham/2022-0[3-9]-*.csv --type Burglary)
W=$L/lbl_wd22_proposed_bng.geojson
$B kde "${BUR[@]}" --boundary $W --clip --cell 100 --min-incidents 3 --areas wards=$W "${CTX[@]}" --map --map-format png,svg --dpi 110 --focus "Rushey Green" --focus "Lewisham Central" --out $O/kde --quiet
$B kde "${BUR[@]}" --boundary $W --clip --cell 100 --min-incidents 3 --areas wards=$W "${CTX[@]}" --map --map-format png,svg --dpi 110 --focus "Rushey Green" --focus "Lewisham Central" --zoom focus --points --out $O/kde-zoom --quiet
$B gistar "${BUR[@]}" --boundary $W --on lsoa --areas lsoa=$L/lbl_lsoa11_full.json "${CTX[@]}" --map --map-format png,svg --dpi 110 --out $O/gistar-lsoa --quiet
$B gistar "${BUR[@]}" --boundary $W --clip --cell 200 --areas wards=$W "${CTX[@]}" --map --map-format png,svg --dpi 110 --out $O/gistar-grid --quiet
$B emerging $S/data/policeuk/met-burglary-lewisham/2018-0[3-9]-*.csv $S/data/policeuk/met-burglary-lewisham/2022-0[3-9]-*.csv --boundary $W --clip --cell 300 --areas wards=$W "${CTX[@]}" --map --map-format png,svg --dpi 110 --focus "Rushey Green" --out $O/emerging --quiet
$B areas "${BUR[@]}" --areas wards=$W --population wards=$L/population_census2011_wd22.csv --areas lsoa=$L/lbl_lsoa11_full.json --population lsoa=$L/population_census2011_lsoa11.csv "${CTX[@]}" --map --map-format png,svg --dpi 110 --out $O/areas --quiet
$B grid "${BUR[@]}" --boundary $W --clip --cell 250 --areas wards=$W "${CTX[@]}" --map --map-format png,svg --dpi 110 --out $O/grid --quiet
