import Foundation

extension BertModel {
    /// The transformer of a folder alone, from its `config.json` and `model.safetensors`
    /// (no tokenizer, pooling or modules): for running token ids another tokenizer made.
    public static func load(folder: URL) throws(EncoderError) -> BertModel {
        let config = try BertConfig.load(folder.appendingPathComponent("config.json"))
        let file = try SafeTensorsFile(path: try WeightsFile.locate(folder).path)
        return BertModel(config: config, weights: try BertWeights(file: file, config: config))
    }
}
