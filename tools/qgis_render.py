#!/usr/bin/python3
"""Opens hotspot's layers and rasters in QGIS itself (headless) and checks what a user would see.

    /usr/bin/python3 tools/qgis_render.py --png DIR FOLDER [FOLDER ...]

For each FOLDER (a `hotspot kde` output, or any folder of layers), every `NAME-raster.tif`/`.asc` and every styled
`NAME.geojson`/`NAME.gpkg` is opened as QGIS opens a file (QgsRasterLayer / QgsVectorLayer with the default style:
the `.qml` of the same base name, a GeoPackage's `layer_styles` default), rendered offscreen with
QgsMapRendererParallelJob to DIR/FOLDERNAME-FILE.png, and checked:

* rasters: the renderer is singleband pseudocolour (not the grey stretch QGIS falls back on), and at the centre of
  every cell the rendered pixel is transparent for NoData and 0, and exactly the colour of the cell's class in the
  vector layer's style (`NAME.qml`: same breaks, same colours) otherwise; every class holding cells appears; no
  opaque black pixel anywhere.
* vector layers: each feature's centre pixel is the fill colour of its class in the layer's graduated or
  categorized renderer (unclassed features transparent); every class holding features appears; every field has its
  full name (NAME.fields.csv) as alias (`attributeAlias`). A GeoPackage is also opened alone (copied to an empty
  folder) so that its style and aliases come from its own `layer_styles` table.

Exit 1 (with one line per failure) when any check fails. Needs python3-qgis (tools/setup with HOTSPOT_WITH_GDAL=1).
"""
import csv
import glob
import os
import shutil
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="qgis-runtime-"))

from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsPointXY, QgsRasterLayer,  # noqa: E402
                       QgsRectangle, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor, QImage  # noqa: E402
import numpy as np  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

failures = []
summary = []


def fail(msg):
    failures.append(msg)
    print("FAIL " + msg, file=sys.stderr)


def render(layer, extent, width, height, png):
    s = QgsMapSettings()
    s.setLayers([layer])
    s.setDestinationCrs(layer.crs())
    s.setExtent(extent)
    s.setOutputSize(QSize(width, height))
    s.setBackgroundColor(QColor(0, 0, 0, 0))
    job = QgsMapRendererParallelJob(s)
    job.start()
    job.waitForFinished()
    img = job.renderedImage()
    img.save(png)
    # Straight (not premultiplied) ARGB as an array: rows × columns × (B, G, R, A) on a little-endian machine.
    img = img.convertToFormat(QImage.Format_ARGB32)
    ptr = img.constBits()
    ptr.setsize(img.sizeInBytes())
    a = np.frombuffer(ptr, np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width() * 4]
    return s, a.reshape(img.height(), img.width(), 4).copy()


def rgba(img, x, y):
    b, g, r, a = img[int(y), int(x)]
    return int(r), int(g), int(b), int(a)


def hexrgb(c):
    return "#%02x%02x%02x" % c[:3]


def black_pixels(img):
    """Opaque (alpha ≥ 128) near-black pixels."""
    return int(((img[:, :, 3] >= 128) & (img[:, :, 0] < 40) & (img[:, :, 1] < 40) & (img[:, :, 2] < 40)).sum())


def vector_classes(qml_path):
    """(lower, upper, '#rrggbb') per graduated range of a vector .qml, in order."""
    root = ET.parse(qml_path).getroot()
    r = root.find("renderer-v2")
    if r is None or r.get("type") != "graduatedSymbol":
        return None
    colours = {}
    for sym in r.find("symbols"):
        for o in sym.iter("Option"):
            if o.get("name") == "color":
                v = [int(t) for t in o.get("value").split(",")[:3]]
                colours[sym.get("name")] = "#%02x%02x%02x" % tuple(v)
    return [(float(x.get("lower")), float(x.get("upper")), colours[x.get("symbol")]) for x in r.find("ranges")]


def check_raster(path, png_dir, tag):
    base = os.path.splitext(path)[0]
    vector_qml = base[: -len("-raster")] + ".qml" if base.endswith("-raster") else None
    layer = QgsRasterLayer(path, os.path.basename(path), "gdal")
    if not layer.isValid():
        return fail(f"{path}: QGIS cannot open it")
    rtype = layer.renderer().type()
    if rtype != "singlebandpseudocolor":
        fail(f"{path}: QGIS opens it with the '{rtype}' renderer, not singleband pseudocolour (is its .qml the vector style?)")
    prov = layer.dataProvider()
    ncols, nrows = layer.width(), layer.height()
    k = max(1, min(8, 1600 // max(ncols, nrows)))
    ext = layer.extent()
    png = os.path.join(png_dir, f"{tag}-{os.path.basename(path)}.png")
    _, img = render(layer, ext, ncols * k, nrows * k, png)
    block = prov.block(1, ext, ncols, nrows)
    classes = vector_classes(vector_qml) if vector_qml and os.path.exists(vector_qml) else None
    if classes is None:
        fail(f"{path}: no graduated vector style {vector_qml} to compare the raster's colours with")
        classes = []
    seen, expected, wrong, nodata, zero = set(), {}, 0, 0, 0
    for r in range(nrows):
        for c in range(ncols):
            px = rgba(img, c * k + k // 2, r * k + k // 2)
            if block.isNoData(r, c) or block.value(r, c) == 0:
                if block.isNoData(r, c):
                    nodata += 1
                else:
                    zero += 1
                if px[3] != 0:
                    wrong += 1
                    if wrong <= 3:
                        fail(f"{path}: cell row {r} col {c} is NoData or 0 but drawn {hexrgb(px)} (alpha {px[3]}), not transparent")
                continue
            v = block.value(r, c)
            want = None
            for i, (lo, hi, colour) in enumerate(classes):
                last = i == len(classes) - 1
                if (i == 0 or v > lo * (1 + 1e-9)) and (v < hi * (1 - 1e-9) or last):
                    want = colour
                    break
            if want is None:  # on a break: either side is right
                continue
            expected[want] = expected.get(want, 0) + 1
            got = hexrgb(px)
            seen.add(got)
            if px[3] != 255 or got != want:
                wrong += 1
                if wrong <= 3:
                    fail(f"{path}: cell row {r} col {c} (value {v:.6g}) drawn {got} alpha {px[3]}; its class colour is {want}")
    for colour, n in expected.items():
        if colour not in seen:
            fail(f"{path}: class colour {colour} ({n} cells) does not appear in the render")
    if not expected:
        fail(f"{path}: no cell with a positive value to check")
    if wrong > 3:
        fail(f"{path}: {wrong} cells drawn in the wrong colour in all")
    black = black_pixels(img)
    if black:
        fail(f"{path}: {black} opaque black pixels in the render")
    summary.append(f"{path}: {rtype}, {ncols}×{nrows} cells ({nodata} NoData, {zero} zero) → {png}; "
                   f"class colours {', '.join(f'{c}×{n}' for c, n in sorted(expected.items()))}; black pixels {black}")


def check_vector(path, png_dir, tag, fields_csv):
    layer = QgsVectorLayer(path, os.path.basename(path), "ogr")
    if not layer.isValid():
        return fail(f"{path}: QGIS cannot open it")
    renderer = layer.renderer()
    rtype = renderer.type()
    # Aliases: every field of NAME.fields.csv has its full name.
    with open(fields_csv, newline="", encoding="utf-8") as f:
        full = {row["field"]: row["column"] for row in csv.DictReader(f)}
    names = layer.fields().names()
    for field, column in full.items():
        i = names.index(field) if field in names else -1
        if i < 0:
            fail(f"{path}: no field {field}")
        elif layer.attributeAlias(i) != column:
            fail(f"{path}: field {field} has alias '{layer.attributeAlias(i)}', not '{column}' (NAME.fields.csv)")
    # Labels: a weekly set's wards are labelled by name and its hotspots by id (QGIS places them, apart). The pixel
    # checks below render without labels, since a label may sit on a feature's centre.
    label = layer.labeling().settings().fieldName if layer.labelsEnabled() and layer.labeling() else None
    base = os.path.basename(path)
    manifest = os.path.join(os.path.dirname(path), "manifest.json")
    if os.path.exists(manifest) and '"unit"' in open(manifest, encoding="utf-8").read():
        want_label = "name" if base.startswith("wards") else "id" if base.startswith("hotspots") else None
        if label != want_label:
            fail(f"{path}: labelled by {label!r}, expected {want_label!r}")
    layer.setLabelsEnabled(False)
    if rtype not in ("graduatedSymbol", "categorizedSymbol"):
        summary.append(f"{path}: {rtype}; aliases of {len(full)} fields checked")
        return
    ext = QgsRectangle(layer.extent())
    ext.scale(1.02)
    w = 1200
    h = max(1, int(w * ext.height() / ext.width()))
    png = os.path.join(png_dir, f"{tag}-{os.path.basename(path)}.png")
    settings, img = render(layer, ext, w, h, png)
    m2p = settings.mapToPixel()
    attr = renderer.classAttribute()
    expected, seen, wrong, outlines = {}, set(), 0, {}
    points = layer.geometryType() == 0  # markers: a stacked neighbour's marker may cover a feature's centre
    tolerated = max(1, int(0.05 * layer.featureCount())) if points else 0
    for feat in layer.getFeatures():
        v = feat[attr]
        want = None
        if rtype == "graduatedSymbol":
            rs = renderer.ranges()
            for i, rg in enumerate(rs):
                if v is None:
                    break
                lo, hi = rg.lowerValue(), rg.upperValue()
                if (i == 0 or v > lo * (1 + 1e-9)) and (v < hi * (1 - 1e-9) or i == len(rs) - 1) and v >= lo * (1 - 1e-9):
                    want = rg.symbol().color().name()
                    break
            if want is None and v is not None and any(abs(v - b) <= abs(b) * 1e-9 for rg in rs for b in (rg.lowerValue(), rg.upperValue())):
                continue
        else:
            for cat in renderer.categories():
                if str(cat.value()) == str(v):
                    sym = cat.symbol()
                    # Outline-only classes (No Pattern Detected: no brush) show what lies beneath, and hatched classes
                    # (sporadic, oscillating: a line-pattern layer over the base) show base or hatch at any one pixel:
                    # neither has one colour to find at the feature's point.
                    if sym.symbolLayerCount() == 1 and sym.symbolLayer(0).brushStyle() == 0 and sym.symbolLayer(0).strokeStyle() != 0:
                        # An outline-only class (weekly hotspots): its outline colour must appear in the render.
                        outlines[sym.symbolLayer(0).strokeColor().name()] = outlines.get(sym.symbolLayer(0).strokeColor().name(), 0) + 1
                        want = "skip"
                    elif sym.symbolLayerCount() > 1 or sym.symbolLayer(0).brushStyle() == 0:
                        want = "skip"
                    else:
                        want = sym.color().name()
        if want == "skip":
            continue
        g = feat.geometry()
        if g is None or g.isEmpty():
            continue
        p = g.pointOnSurface().asPoint()
        q = m2p.transform(QgsPointXY(p))
        px = rgba(img, q.x(), q.y())
        if want is None:
            continue
        expected[want] = expected.get(want, 0) + 1
        seen.add(hexrgb(px))
        if hexrgb(px) != want or px[3] != 255:
            wrong += 1
            if wrong > tolerated and wrong <= tolerated + 3:
                fail(f"{path}: feature {feat.id()} ({attr} = {v}) drawn {hexrgb(px)} alpha {px[3]}; its class colour is {want}")
    for colour, n in expected.items():
        if colour not in seen:
            fail(f"{path}: class colour {colour} ({n} features) does not appear in the render")
    if outlines:
        drawn = {hexrgb(rgba(img, x, y)) for x in range(0, w, 2) for y in range(0, h, 2)}
        for colour, n in outlines.items():
            if colour not in drawn:
                fail(f"{path}: outline colour {colour} ({n} features) does not appear in the render")
            else:
                expected[f"{colour} (outline)"] = n
    if not expected:
        fail(f"{path}: no feature in any class")
    black = black_pixels(img)
    if black > 0.001 * w * h:
        fail(f"{path}: {black} opaque black pixels in the render")
    summary.append(f"{path}: {rtype} on {attr} → {png}; class colours {', '.join(f'{c}×{n}' for c, n in sorted(expected.items()))}; "
                   f"aliases of {len(full)} fields checked" + (f"; labels: {label}" if label else ""))


def main(argv):
    if len(argv) < 3 or argv[0] != "--png":
        print(__doc__, file=sys.stderr)
        return 64
    png_dir = argv[1]
    os.makedirs(png_dir, exist_ok=True)
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    alone_root = tempfile.mkdtemp(prefix="qgis-alone-")
    try:
        for folder in argv[2:]:
            tag = os.path.basename(os.path.normpath(folder))
            rasters = sorted(glob.glob(os.path.join(folder, "*-raster.tif")) + glob.glob(os.path.join(folder, "*-raster.asc")))
            for path in rasters:
                check_raster(path, png_dir, tag)
            for qml in sorted(glob.glob(os.path.join(folder, "*.qml"))):
                base = qml[:-4]
                if base.endswith("-raster"):
                    continue
                fields = base + ".fields.csv"
                if not os.path.exists(fields):
                    fail(f"{qml}: no {os.path.basename(fields)} beside it")
                    continue
                for ext in (".geojson", ".gpkg"):
                    if os.path.exists(base + ext):
                        check_vector(base + ext, png_dir, tag, fields)
                if os.path.exists(base + ".gpkg"):
                    # Alone: only the GeoPackage's own layer_styles can style it.
                    d = os.path.join(alone_root, tag)
                    os.makedirs(d, exist_ok=True)
                    alone = shutil.copy(base + ".gpkg", d)
                    check_vector(alone, png_dir, tag + "-alone", fields)
            if not rasters and not glob.glob(os.path.join(folder, "*.qml")):
                fail(f"{folder}: no raster and no styled layer to check")
    finally:
        app.exitQgis()
        shutil.rmtree(alone_root, ignore_errors=True)
    for s in summary:
        print(s)
    if failures:
        print(f"qgis_render: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"qgis_render: {len(summary)} layer(s) rendered and checked in QGIS {__import__('qgis.core').core.Qgis.QGIS_VERSION}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
