/// NumPy's `.npy` format (version 1.0) for float32 matrices in C order.
public enum NPY {
    /// The bytes of a `.npy` file holding `values` as float32 with shape `[rows, columns]`.
    public static func encode(_ values: [Float], rows: Int, columns: Int) -> [UInt8] {
        precondition(values.count == rows * columns)
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        // Magic (6) + version (2) + length (2) + header + newline, padded to 64 bytes.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        out += [UInt8(length & 0xFF), UInt8(length >> 8)]
        out += Array(header.utf8)
        out.reserveCapacity(out.count + values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { out += $0 }
        }
        return out
    }

    /// Parses a float32 C-order `.npy` file into its shape and values; `nil` if it is not one.
    public static func decode(_ bytes: [UInt8]) -> (shape: [Int], values: [Float])? {
        guard let (shape, dataStart) = header(bytes) else { return nil }
        let count = shape.reduce(1, *)
        guard bytes.count == dataStart + 4 * count else { return nil }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * i, as: UInt32.self)))
            }
        }
        return (shape, values)
    }

    /// The shape and the offset of the data of a float32 C-order `.npy` whose first bytes are `bytes`.
    static func header<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes) -> (shape: [Int], dataStart: Int)? where Bytes.Index == Int {
        let bytes = Array(bytes.prefix(65_536 + 12))
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else { return nil }
        let major = bytes[6]
        let (headerStart, headerLength): (Int, Int)
        if major == 1 {
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        } else {
            guard bytes.count >= 12 else { return nil }
            headerStart = 12
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        }
        guard bytes.count >= headerStart + headerLength,
              let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: .utf8),
              header.contains("'<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            return nil
        }
        let shape = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        return (shape, headerStart + headerLength)
    }
}

/// A 2-D float32 `.npy` file mapped read-only: rows are read in place, never copied whole,
/// so importing a file larger than memory works (`exemplar build --vectors`).
///
/// Threading: the mapping is `PROT_READ` and never changes after `init`; it is unmapped when
/// the last reference goes away. Hence `@unchecked Sendable`.
public final class NPYMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    private let base: UnsafeMutableRawPointer?
    private let length: Int
    private let data: UnsafePointer<Float>?

    /// Why a file is not a mappable matrix, in words for the user.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Maps the float32 C-order 2-D `.npy` at `path`.
    public init(path: String) throws(Problem) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Problem(description: "cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Problem(description: "cannot be read: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        var head = [UInt8](repeating: 0, count: min(size, 65_548))
        guard pread(fd, &head, head.count, 0) == head.count, let (shape, dataStart) = NPY.header(head), shape.count == 2 else {
            throw Problem(description: "is not a 2-D float32 (<f4, C order) .npy file")
        }
        guard size == dataStart + 4 * shape[0] * shape[1] else {
            throw Problem(description: "has \(size) bytes; its header describes \(dataStart + 4 * shape[0] * shape[1]) (truncated?)")
        }
        rows = shape[0]
        columns = shape[1]
        length = size
        guard shape[0] * shape[1] > 0 else { base = nil; data = nil; return }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            throw Problem(description: "cannot be mapped: \(String(cString: strerror(errno)))")
        }
        guard dataStart % 4 == 0 else {
            munmap(mapped, size)
            throw Problem(description: "has its data at byte \(dataStart), not a multiple of 4")
        }
        madvise(mapped, size, MADV_SEQUENTIAL)
        base = mapped
        data = UnsafePointer((mapped + dataStart).assumingMemoryBound(to: Float.self))
    }

    deinit { if let base { munmap(base, length) } }

    /// Row `row`'s `columns` values (little-endian float32, as this CPU reads them).
    public func row(_ row: Int) -> UnsafePointer<Float> {
        precondition(row >= 0 && row < rows)
        return data! + row * columns
    }
}

import Foundation
