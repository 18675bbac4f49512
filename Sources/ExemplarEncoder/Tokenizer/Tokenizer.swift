import Foundation

/// A Hugging Face tokenizer (tokenizer.json, or a BERT vocab.txt) as sentence-transformers
/// runs it: added tokens split out of the raw text (and, for `normalized` ones, out of each
/// normalized segment), then normalizer, pre-tokenizer, model, truncation to `maxLength`
/// ids and the post-processor's special tokens.
public struct Tokenizer: Sendable {
    public let addedTokens: [AddedToken]
    public let normalizer: Normalizer?
    public let preTokenizer: PreTokenizer?
    public let model: TokenizerModel
    public let postProcessor: PostProcessor?
    public let decoder: TokenDecoder?
    /// Most ids a sequence may have, special tokens included.
    public let maxLength: Int
    /// sentence-transformers' own `do_lower_case`: lower-case the text before tokenizing.
    public let lowercaseInput: Bool
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let tokens: [Int32: String]

    public init(addedTokens: [AddedToken] = [], normalizer: Normalizer?, preTokenizer: PreTokenizer?,
                model: TokenizerModel, postProcessor: PostProcessor?, decoder: TokenDecoder? = nil,
                maxLength: Int, lowercaseInput: Bool = false) {
        self.addedTokens = addedTokens
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        self.postProcessor = postProcessor
        self.decoder = decoder
        self.maxLength = max(postProcessor?.addedCount(pair: false) ?? 0, maxLength)
        self.lowercaseInput = lowercaseInput
        rawMatcher = AddedTokenMatcher(addedTokens.filter { !$0.normalized }.map {
            .init(scalars: Array($0.content.unicodeScalars), token: $0)
        })
        normalizedMatcher = AddedTokenMatcher(addedTokens.filter(\.normalized).map { token in
            let scalars = Array(token.content.unicodeScalars)
            return .init(scalars: normalizer?.normalize(scalars) ?? scalars, token: token)
        })
        var tokens = model.tokensByID
        for t in addedTokens { tokens[t.id] = t.content }
        self.tokens = tokens
    }

    /// The same tokenizer with another length limit.
    public func with(maxLength: Int) -> Tokenizer {
        Tokenizer(addedTokens: addedTokens, normalizer: normalizer, preTokenizer: preTokenizer, model: model,
                  postProcessor: postProcessor, decoder: decoder, maxLength: maxLength, lowercaseInput: lowercaseInput)
    }

    /// The ids the encoder sees for `text`: the post-processor's special tokens around the
    /// model's tokens, truncated so that the whole fits `maxLength`.
    public func encode(_ text: String) -> [Int32] {
        var ids = tokenIDs(text)
        let budget = maxLength - (postProcessor?.addedCount(pair: false) ?? 0)
        if ids.count > budget { ids.removeSubrange(max(0, budget)...) }
        return postProcessor?.process(ids, nil) ?? ids
    }

    /// The ids of a sentence pair, truncated longest-first to fit `maxLength`.
    public func encode(_ text: String, pair: String) -> [Int32] {
        var a = tokenIDs(text), b = tokenIDs(pair)
        let budget = max(0, maxLength - (postProcessor?.addedCount(pair: true) ?? 0))
        if a.count + b.count > budget {
            var n1 = min(a.count, b.count), n2 = max(a.count, b.count)
            n2 = n1 > budget ? n1 : max(n1, budget - n1)
            if n1 + n2 > budget {
                n1 = budget / 2
                n2 = n1 + budget % 2
            }
            if a.count > b.count { swap(&n1, &n2) }
            if a.count > n1 { a.removeSubrange(n1...) }
            if b.count > n2 { b.removeSubrange(n2...) }
        }
        return postProcessor?.process(a, b) ?? a + b
    }

    /// The model's and added tokens' ids for `text`, no special tokens added, never truncated
    /// (`tokenizer.encode(text, add_special_tokens=False)`).
    public func tokenIDs(_ text: String) -> [Int32] {
        let source = lowercaseInput ? text.lowercased() : text
        let scalars = Array(source.unicodeScalars)
        var ids: [Int32] = []
        ids.reserveCapacity(scalars.count / 3 + 4)
        for (range, id) in rawMatcher.split(scalars) {
            if let id { ids.append(id); continue }
            guard !range.isEmpty else { continue }
            let segment = Array(scalars[range])
            let normalized = normalizer?.normalize(segment) ?? segment
            for (inner, innerID) in normalizedMatcher.split(normalized) {
                if let innerID { ids.append(innerID); continue }
                guard !inner.isEmpty else { continue }
                var leading = 0
                if range.lowerBound == 0 && inner.lowerBound == 0 {
                    // How many normalized scalars the input's first character became (tokenizers aligns
                    // them all to original offset 0; when it became nothing, the next one takes offset 0).
                    leading = max(1, normalizer?.normalize([segment[0]]).count ?? 1)
                }
                let piece = TextPiece(scalars: Array(normalized[inner]), leading: min(leading, inner.count))
                if let preTokenizer {
                    for p in preTokenizer.apply([piece]) where !p.scalars.isEmpty { model.encode(p.scalars, into: &ids) }
                } else {
                    model.encode(piece.scalars, into: &ids)
                }
            }
        }
        return ids
    }

    /// The token string of `id` (added tokens first), if it has one.
    public func token(for id: Int32) -> String? { tokens[id] }

    /// The id of `token` (added tokens first), if it has one.
    public func id(of token: String) -> Int32? {
        addedTokens.first { TokenKey($0.content) == TokenKey(token) }?.id ?? model.id(of: token)
    }

    /// Ids of the special added tokens (`[CLS]`, `<s>`, `<pad>`, ...).
    public var specialIDs: Set<Int32> { Set(addedTokens.filter(\.special).map(\.id)) }

    /// The largest id this tokenizer can produce.
    public var largestID: Int32 { max(model.largestID, addedTokens.map(\.id).max() ?? 0) }

    /// `ids` as text through the decoder; special tokens left out unless `skipSpecialTokens` is false.
    public func decode(_ ids: [Int32], skipSpecialTokens: Bool = true) -> String {
        let special = skipSpecialTokens ? specialIDs : []
        let strings = ids.compactMap { special.contains($0) ? nil : tokens[$0] }
        return TokenDecoder.decode(strings, with: decoder)
    }
}
