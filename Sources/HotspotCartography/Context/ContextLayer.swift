import Foundation
import HotspotCore
import HotspotIO

/// A context layer for maps (`--context NAME=SOURCE`): places to find the way by — roads, railways, stations, town
/// centres — drawn with the analysis (fills beneath it, lines and outlines over its classes) in a restrained style chosen by geometry and by a class field when the source
/// has one, labelled from a name field. Geometries are EPSG:27700 metres.
public struct ContextLayer: Sendable {
    public struct Feature: Sendable {
        public var geometry: FeatureGeometry
        public var kind: ContextStyle.Kind
        public var label: String?
        public init(geometry: FeatureGeometry, kind: ContextStyle.Kind, label: String?) { self.geometry = geometry; self.kind = kind; self.label = label }
    }
    public var name: String
    public var features: [Feature]
    /// The line printed with the map's attribution (ODbL for OpenStreetMap, OGL for OS and public-sector data).
    public var attribution: String?
    public init(name: String, features: [Feature], attribution: String?) { self.name = name; self.features = features; self.attribution = attribution }

    /// The kinds present, in drawing order (areas, then lines from minor to major, then points).
    public var kinds: [ContextStyle.Kind] {
        let present = Set(features.map(\.kind))
        return ContextStyle.Kind.allCases.filter(present.contains)
    }
}

/// How context features look: roads in muted browns on a thin white casing (wider and darker for more important
/// roads; distinct from the grey area boundaries), a dashed dark line for railways, a white circle ringed in black for
/// stations, a dashed purple outline over a faint fill for town centres and other areas. Widths in mm at print scale.
public enum ContextStyle {
    /// Drawing classes, in drawing order.
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        case area, minorRoad, bRoad, road, aRoad, motorway, railway, point, station

        public var legend: String {
            switch self {
            case .area: return "Town centres and other places"
            case .minorRoad: return "Minor roads"
            case .bRoad: return "B roads"
            case .road: return "Major roads"
            case .aRoad: return "A roads and trunk roads"
            case .motorway: return "Motorways"
            case .railway: return "Railways"
            case .point: return "Places"
            case .station: return "Stations"
            }
        }
        public var stroke: String {
            switch self {
            case .area: return "#6a51a3"
            case .minorRoad: return "#cdb594"
            case .bRoad: return "#c19a6b"
            case .road, .aRoad: return "#a8743f"
            case .motorway: return "#7d5230"
            case .railway: return "#3a3a3a"
            case .point, .station: return "#222222"
            }
        }
        public var width: Double {
            switch self {
            case .area: return 0.3
            case .minorRoad: return 0.18
            case .bRoad: return 0.3
            case .road: return 0.45
            case .aRoad: return 0.5
            case .motorway: return 0.75
            case .railway: return 0.3
            case .point, .station: return 0.3
            }
        }
        public var dash: String? {
            switch self {
            case .area: return "1.6 0.8"
            case .railway: return "1.2 0.7"
            default: return nil
            }
        }
        public var isLine: Bool { [.minorRoad, .bRoad, .road, .aRoad, .motorway, .railway].contains(self) }
    }

    /// The class fields understood, in the order they are looked for: OS Open Roads / OS MasterMap Highways
    /// (`roadClassification`, `function`, `class`), OpenStreetMap (`highway`, `railway`), and a stations layer's
    /// `railway=station`/`public_transport`.
    public static let classFields = ["roadClassification", "roadclassification", "function", "class", "highway", "railway", "public_transport", "fclass"]
    /// Name fields looked for when `--context-label` does not name one.
    public static let nameFields = ["name", "Name", "NAME", "name1", "roadName", "roadname", "sitename", "SITENAME", "site_name", "ref", "roadClassificationNumber"]

    /// The kind of a feature from its geometry and the class values of its source (lower-cased field → value).
    public static func kind(geometry: FeatureGeometry, classes: [String: String]) -> ContextStyle.Kind {
        switch geometry {
        case .polygons, .empty: return .area
        case .points:
            let r = (classes["railway"] ?? classes["public_transport"] ?? classes["fclass"] ?? "").lowercased()
            return r.contains("station") || r == "halt" || r == "stop_position" || r == "platform" || classes["railway"] != nil ? .station : .point
        case .lines:
            if let r = classes["railway"]?.lowercased(), !r.isEmpty, r != "no" { return .railway }
            let v = (classes["roadclassification"] ?? classes["function"] ?? classes["class"] ?? classes["highway"] ?? classes["fclass"] ?? "").lowercased()
            if v.isEmpty { return .road }
            if v.hasPrefix("motorway") { return .motorway }
            if v.hasPrefix("a road") || v.hasPrefix("trunk") || v.hasPrefix("primary") || v == "a" { return .aRoad }
            if v.hasPrefix("b road") || v.hasPrefix("secondary") || v == "b" { return .bRoad }
            if v.hasPrefix("rail") || v.contains("light_rail") || v == "subway" || v == "tram" { return .railway }
            if v.hasPrefix("tertiary") { return .bRoad }
            return .minorRoad
        }
    }
}
