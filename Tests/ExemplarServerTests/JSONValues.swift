import Foundation

/// Floats of a JSON array.
func floats(_ value: Any?) -> [Float] {
    (value as? [Any])?.compactMap { ($0 as? NSNumber)?.floatValue } ?? []
}
