import ExemplarJSON
import Foundation

/// A read-only, memory-mapped `.safetensors` file with a validated header.
///
/// Layout: 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`),
/// then the data; offsets are relative to the data. Every tensor's offsets are checked to
/// lie inside the file and to match its dtype and shape, so a truncated or corrupt file is
/// an `EncoderError`, never a crash.
///
/// Threading: the mapping is `PROT_READ` and never changes after `init`, so any thread may
/// read it; it is unmapped when the last reference goes away.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Element types this reader understands.
    public enum DType: String, Sendable {
        case f32 = "F32", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32"

        var size: Int {
            switch self {
            case .f32, .i32: return 4
            case .f16, .bf16: return 2
            case .i64: return 8
            }
        }
    }

    /// Where one tensor lives in the file.
    public struct TensorInfo: Sendable, Equatable {
        public let dtype: DType
        public let shape: [Int]
        /// Byte offset from the start of the file.
        public let offset: Int
        public let byteCount: Int
    }

    public let path: String
    public let tensors: [String: TensorInfo]
    private let base: UnsafeRawPointer
    private let length: Int

    public init(path: String) throws(EncoderError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .missingFile(path: path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw .invalidModelFile(path: path, reason: "cannot stat (\(String(cString: strerror(errno))))")
        }
        let size = Int(st.st_size)
        guard size >= 8 else {
            throw .invalidModelFile(path: path, reason: "file is \(size) bytes, too short for a safetensors header; fetch the model again")
        }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else {
            throw .invalidModelFile(path: path, reason: "cannot map file (\(String(cString: strerror(errno))))")
        }
        let raw = UnsafeRawPointer(map)
        do {
            self.tensors = try Self.parseHeader(raw, size: size, path: path)
        } catch {
            munmap(map, size)
            throw error
        }
        self.base = raw
        self.length = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }

    static func parseHeader(_ raw: UnsafeRawPointer, size: Int, path: String) throws(EncoderError) -> [String: TensorInfo] {
        let headerLength = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        guard headerLength <= UInt64(size - 8), headerLength <= 100_000_000 else {
            throw .invalidModelFile(path: path, reason: "header length \(headerLength) exceeds the file size \(size): the file is truncated or not safetensors; fetch the model again")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(bytes: raw + 8, count: Int(headerLength))
        let json = try JSONFile.parse(header, path: path + " (header)")
        let dataSize = size - dataStart
        var tensors: [String: TensorInfo] = [:]
        /// An array of integers, or nil.
        func integers(_ value: JSONValue?) -> [Int]? {
            guard let items = value?.arrayValue else { return nil }
            var out: [Int] = []
            out.reserveCapacity(items.count)
            for item in items {
                guard case .number(let d) = item, let n = Int(exactly: d) else { return nil }
                out.append(n)
            }
            return out
        }
        for (name, entry) in json.fields where name != "__metadata__" {
            guard case .string(let dtypeName)? = entry["dtype"],
                  let shape = integers(entry["shape"]),
                  let offsets = integers(entry["data_offsets"]), offsets.count == 2 else {
                throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" lacks dtype, shape or data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw .unsupported(path: path, reason: "tensor \"\(name)\" has dtype \(dtypeName)")
            }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" has a negative dimension")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let begin = offsets[0], end = offsets[1]
            guard !overflow, begin >= 0, begin <= end, end - begin == count * dtype.size else {
                throw .invalidModelFile(path: path, reason: "tensor \"\(name)\": data_offsets \(offsets) do not match shape \(shape) of \(dtypeName)")
            }
            guard end <= dataSize else {
                throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" needs bytes up to \(dataStart + end) but the file has \(size): the file is truncated; fetch the model again")
            }
            tensors[name] = TensorInfo(dtype: dtype, shape: shape, offset: dataStart + begin, byteCount: end - begin)
        }
        return tensors
    }

    /// Tensor `name` as float32 values, checked against `shape`.
    ///
    /// F32 data that is suitably aligned is returned without copying (`owner` keeps the
    /// mapping alive); F16/BF16 or unaligned data is converted into a new buffer.
    public func floats(_ name: String, shape: [Int]) throws(EncoderError) -> FloatTensor {
        guard let info = tensors[name] else {
            throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" is missing")
        }
        guard info.shape == shape else {
            throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" has shape \(info.shape), config.json implies \(shape)")
        }
        let count = info.byteCount / info.dtype.size
        let src = base + info.offset
        switch info.dtype {
        case .f32 where Int(bitPattern: src) % MemoryLayout<Float>.alignment == 0:
            return FloatTensor(shape: shape, pointer: src.assumingMemoryBound(to: Float.self), owner: self)
        case .f32:
            return FloatTensor(shape: shape, copying: count) { i in src.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case .f16:
            return FloatTensor(shape: shape, copying: count) { i in
                Float(Float16(bitPattern: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bf16:
            return FloatTensor(shape: shape, copying: count) { i in
                Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16)
            }
        case .i64, .i32:
            throw .invalidModelFile(path: path, reason: "tensor \"\(name)\" is \(info.dtype.rawValue), expected floating point")
        }
    }
}

/// A read-only float32 tensor: a pointer plus whatever keeps its memory alive.
///
/// Threading: never written after creation; safe to read from any thread.
public struct FloatTensor: @unchecked Sendable {
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    private let owner: AnyObject

    init(shape: [Int], pointer: UnsafePointer<Float>, owner: AnyObject) {
        self.shape = shape
        self.pointer = pointer
        self.owner = owner
    }

    /// A tensor holding `count` values produced by `value(i)`.
    init(shape: [Int], copying count: Int, _ value: (Int) -> Float) {
        let storage = FloatStorage(count: count)
        for i in 0..<count { storage.base[i] = value(i) }
        self.init(shape: shape, pointer: UnsafePointer(storage.base), owner: storage)
    }

    /// A tensor holding `values`.
    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not hold \(values.count) values")
        self.init(shape: shape, copying: values.count) { values[$0] }
    }

    public var count: Int { shape.reduce(1, *) }
}

/// Owned float memory for converted or fused tensors.
final class FloatStorage {
    let base: UnsafeMutablePointer<Float>
    init(count: Int) {
        base = .allocate(capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { base.deallocate() }
}
