import Foundation

/// Finds a transformer folder's weights: `model.safetensors`, the only format this encoder reads.
enum WeightsFile {
    /// PyTorch pickles (and TensorFlow/Flax files) a folder may carry instead.
    static let otherFormats = ["pytorch_model.bin", "tf_model.h5", "flax_model.msgpack", "model.ckpt.index"]

    /// `dir/model.safetensors`; when only another format is there, an error that names the
    /// file and the one-line conversion to safetensors.
    static func locate(_ dir: URL) throws(EncoderError) -> URL {
        let url = dir.appendingPathComponent("model.safetensors")
        let files = FileManager.default
        if files.fileExists(atPath: url.path) { return url }
        if let other = otherFormats.first(where: { files.fileExists(atPath: dir.appendingPathComponent($0).path) }) {
            let folder = dir.path
            throw .unsupported(path: dir.appendingPathComponent(other).path, reason:
                "weights in \(other) are not read, only model.safetensors; convert the folder once with: "
                + "python -c \"from transformers import AutoModel; "
                + "AutoModel.from_pretrained('\(folder)').save_pretrained('\(folder)', safe_serialization=True)\"")
        }
        if files.fileExists(atPath: dir.appendingPathComponent("model.safetensors.index.json").path) {
            throw .unsupported(path: dir.appendingPathComponent("model.safetensors.index.json").path,
                               reason: "sharded weights are not read; save the model as one model.safetensors")
        }
        throw .missingFile(path: url.path)
    }
}
