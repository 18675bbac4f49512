import ExemplarKernels
import Foundation

/// A sentence-transformers `Dense` module: `activation(W · v + b)` on the sentence vector
/// (LaBSE-style projection heads), from its folder's `config.json` and `model.safetensors`.
public struct DenseLayer: Sendable {
    /// The activations sentence-transformers names by their torch class.
    public enum Activation: String, Sendable {
        case tanh = "torch.nn.modules.activation.Tanh"
        case identity = "torch.nn.modules.linear.Identity"
        case relu = "torch.nn.modules.activation.ReLU"
        case sigmoid = "torch.nn.modules.activation.Sigmoid"

        func apply(_ v: UnsafeMutablePointer<Float>, count: Int) {
            switch self {
            case .identity: return
            case .tanh: for i in 0..<count { v[i] = Foundation.tanh(v[i]) }
            case .relu: for i in 0..<count where v[i] < 0 { v[i] = 0 }
            case .sigmoid: for i in 0..<count { v[i] = 1 / (1 + Foundation.exp(-v[i])) }
            }
        }
    }

    public let inFeatures: Int
    public let outFeatures: Int
    public let activation: Activation
    /// The module's weights file (part of the model's identity).
    public let weightsURL: URL
    let weight: FloatTensor        // [out, in]
    let bias: FloatTensor          // [out], zeros without a bias
    /// `use_residual`: the input (or its projection `[out, in]` when the sizes differ) is added after the activation.
    let residual: Residual?

    enum Residual: Sendable {
        case identity
        case projected(FloatTensor)
    }

    /// Loads the module in `folder` (a `modules.json` entry of type `sentence_transformers.models.Dense`).
    static func load(_ folder: URL) throws(EncoderError) -> DenseLayer {
        let configURL = folder.appendingPathComponent("config.json")
        let config = try JSONFile.read(configURL)
        let inFeatures = try config.requireInt("in_features"), outFeatures = try config.requireInt("out_features")
        guard inFeatures > 0, outFeatures > 0 else {
            throw config.error("in_features", "and out_features must be positive")
        }
        let name = try config.string("activation_function") ?? Activation.tanh.rawValue
        guard let activation = Activation(rawValue: name) else {
            throw .unsupported(path: configURL.path, reason: "Dense activation_function \"\(name)\" is not implemented (Tanh, Identity, ReLU and Sigmoid are)")
        }
        for key in ["module_input_name", "module_output_name"] {
            if let value = try config.string(key), value != "sentence_embedding" {
                throw .unsupported(path: configURL.path, reason: "Dense \(key) \"\(value)\"; only \"sentence_embedding\" is implemented")
            }
        }
        let hasBias = try config.bool("bias") ?? true
        let useResidual = try config.bool("use_residual") ?? false
        let weightsURL = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            let bin = folder.appendingPathComponent("pytorch_model.bin")
            if FileManager.default.fileExists(atPath: bin.path) {
                throw .unsupported(path: bin.path, reason: "Dense weights in PyTorch's pickle format; convert them to safetensors first: python -c \"import torch, safetensors.torch as s; s.save_file(torch.load('\(bin.path)'), '\(weightsURL.path)')\"")
            }
            throw .missingFile(path: weightsURL.path)
        }
        let file = try SafeTensorsFile(path: weightsURL.path)
        let weight = try file.floats("linear.weight", shape: [outFeatures, inFeatures])
        let bias = hasBias ? try file.floats("linear.bias", shape: [outFeatures])
                           : FloatTensor(shape: [outFeatures], values: [Float](repeating: 0, count: outFeatures))
        var residual: Residual?
        if useResidual {
            residual = inFeatures == outFeatures ? .identity
                : .projected(try file.floats("residual.weight", shape: [outFeatures, inFeatures]))
        }
        return DenseLayer(inFeatures: inFeatures, outFeatures: outFeatures, activation: activation, weightsURL: weightsURL,
                          weight: weight, bias: bias, residual: residual)
    }

    /// `rows` sentence vectors (`rows × inFeatures`, contiguous) through the layer: one sgemm.
    func apply(_ input: [Float], rows: Int) -> [Float] {
        var output = [Float](repeating: 0, count: rows * outFeatures)
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                BLAS.linear(x.baseAddress!, rows: rows, weight: weight.pointer, bias: bias.pointer,
                            outFeatures: outFeatures, inFeatures: inFeatures, into: y.baseAddress!)
                activation.apply(y.baseAddress!, count: rows * outFeatures)
                switch residual {
                case nil: break
                case .identity?:
                    for i in 0..<(rows * outFeatures) { y[i] += x[i] }
                case .projected(let w)?:
                    BLAS.gemmABt(m: rows, n: outFeatures, k: inFeatures, x.baseAddress!, lda: inFeatures,
                                 w.pointer, ldb: inFeatures, beta: 1, y.baseAddress!, ldc: outFeatures)
                }
            }
        }
        return output
    }
}
