// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Exemplar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "exemplar", targets: ["exemplar"]),
        .library(name: "ExemplarEncoder", targets: ["ExemplarEncoder"]),
        .library(name: "ExemplarIO", targets: ["ExemplarIO"]),
        .library(name: "ExemplarDemos", targets: ["ExemplarDemos"]),
        .library(name: "ExemplarServer", targets: ["ExemplarServer"]),
    ],
    targets: [
        // One thin wrapper target per C library: a modulemap and a shim header, nothing else.
        .systemLibrary(
            name: "COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CLMDB", pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]),
        .systemLibrary(
            name: "CMicroHTTPD", pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]),
        // The faiss shim (Debian's libfaiss-dev is a static C++ library with no C API): an
        // extern "C" surface in one C++ file, the only code that includes faiss.
        .target(
            name: "CFaiss",
            exclude: ["openmp"],
            cxxSettings: [.headerSearchPath("openmp")],
            linkerSettings: [.linkedLibrary("faiss"), .linkedLibrary("gomp"), .linkedLibrary("openblas")]),

        // The encoder's own C kernels (fused attention, LayerNorm, GELU, int8 GEMM): AVX-512
        // bodies chosen at run time by what the CPU has, portable bodies otherwise.
        .target(name: "CEncoderKernels"),

        // What every module shares: the error protocol (message, exit code, HTTP status), SHA-256, the version.
        .target(name: "ExemplarCore"),
        // The one JSON layer: a strict parser, `JSONValue` (shortest round-trip floats), typed
        // readers whose errors name the JSON path.
        .target(
            name: "ExemplarJSON",
            dependencies: ["ExemplarCore"]),
        // Numeric kernels: the only COpenBLAS caller (sgemm, the thread count), SIMD dot, L2 normalisation.
        .target(
            name: "ExemplarKernels",
            dependencies: ["COpenBLAS", "CEncoderKernels"]),
        // Tokenizer, safetensors, BERT forward pass, pooling: text in, vectors out.
        .target(
            name: "ExemplarEncoder",
            dependencies: ["ExemplarCore", "ExemplarJSON", "ExemplarKernels"]),
        // Reading sentence inputs (JSON Lines, text) and writing outputs (JSON Lines, .npy).
        .target(
            name: "ExemplarIO",
            dependencies: ["ExemplarCore", "ExemplarJSON", "ExemplarData"]),
        // Dataset readers for LM-BFF's task layouts (GLUE TSV, header-less CSV, JSONL, CSV/TSV).
        .target(
            name: "ExemplarData",
            dependencies: ["ExemplarCore", "ExemplarJSON"]),
        // Words for lexical search: nltk's word_tokenize (Punkt sentences, Treebank words), postings, BM25Okapi.
        .target(name: "ExemplarLexical"),
        // Persistent indexes in LMDB: records, vectors, manifest, embedding cache.
        .target(
            name: "ExemplarStore",
            dependencies: ["ExemplarCore", "ExemplarJSON", "ExemplarKernels", "ExemplarEncoder", "ExemplarLexical", "CLMDB"]),
        // Approximate search through faiss (IVF-Flat, IVF-SQ8, HNSW): the only CFaiss caller.
        .target(
            name: "ExemplarANN",
            dependencies: ["CFaiss", "ExemplarCore"]),
        // Exact per-class nearest-neighbour search, and building indexes from data.
        .target(
            name: "ExemplarIndex",
            dependencies: ["ExemplarANN", "ExemplarCore", "ExemplarJSON", "ExemplarKernels", "ExemplarEncoder", "ExemplarStore", "ExemplarData", "ExemplarLexical", "ExemplarIO"]),
        // Charts as PNG files with no dependency: a PNG encoder (zlib, CRC-32, Adler-32), an RGB
        // raster with a built-in bitmap font, a grouped bar chart.
        .target(name: "ExemplarChart"),
        // Demonstration selection (LM-BFF's filter and sampling, nearest, MMR, in-context) and
        // LM-BFF's template language: plain values in, chosen demonstrations and contexts out.
        .target(
            name: "ExemplarDemos",
            dependencies: ["ExemplarCore", "ExemplarJSON", "ExemplarKernels", "ExemplarEncoder", "ExemplarData", "ExemplarIndex", "ExemplarStore", "ExemplarLexical"]),
        // The HTTP service on libmicrohttpd: routing, JSON, auth, batching inference worker, metrics.
        .target(
            name: "ExemplarServer",
            dependencies: ["CMicroHTTPD", "ExemplarANN", "ExemplarCore", "ExemplarJSON", "ExemplarKernels", "ExemplarEncoder", "ExemplarData", "ExemplarStore", "ExemplarIndex", "ExemplarLexical", "ExemplarDemos"]),
        // The command line as a library: typed options (`Option`, `CommandSpec`), one file per
        // command, `CLI.run` (dispatch, help, errors to exit codes); parses and calls the libraries.
        .target(
            name: "ExemplarCLI",
            dependencies: ["ExemplarANN", "ExemplarCore", "ExemplarJSON", "ExemplarEncoder", "ExemplarIO", "ExemplarData", "ExemplarStore",
                           "ExemplarIndex", "ExemplarDemos", "ExemplarServer", "ExemplarLexical", "ExemplarChart"]),
        // The `exemplar` executable: main.swift corrects OpenBLAS's kernel choice (`OpenBLASCore`), then calls `CLI.run`.
        .executableTarget(
            name: "exemplar",
            dependencies: ["ExemplarCLI", "ExemplarKernels"]),
        // Timing runner for scripts/bench-search; not part of the CLI, but parses its options with ExemplarCLI.
        .executableTarget(
            name: "exemplar-bench",
            dependencies: ["ExemplarCLI", "ExemplarJSON", "ExemplarIndex", "ExemplarIO", "ExemplarStore"]),

        // Shared by every test target: fixture paths, temporary folders, the `exemplar` binary
        // runner and a real test server. Library code only; no tests of its own.
        .target(
            name: "ExemplarTestSupport",
            dependencies: ["ExemplarServer", "ExemplarIndex", "ExemplarEncoder", "ExemplarStore"],
            path: "Tests/ExemplarTestSupport"),
        .testTarget(
            name: "ExemplarKernelsTests",
            dependencies: ["ExemplarKernels"]),
        .testTarget(
            name: "ExemplarEncoderTests",
            dependencies: ["ExemplarTestSupport", "ExemplarEncoder", "ExemplarIO", "ExemplarJSON"]),
        .testTarget(
            name: "ExemplarStoreTests",
            dependencies: ["ExemplarTestSupport", "ExemplarStore", "ExemplarCore", "ExemplarEncoder", "ExemplarJSON"]),
        .testTarget(
            name: "ExemplarIndexTests",
            dependencies: ["ExemplarTestSupport", "ExemplarIndex", "ExemplarEncoder", "ExemplarStore", "ExemplarLexical", "ExemplarKernels"]),
        .testTarget(
            name: "ExemplarDataTests",
            dependencies: ["ExemplarTestSupport", "ExemplarData"]),
        .testTarget(
            name: "ExemplarDemosTests",
            dependencies: ["ExemplarTestSupport", "ExemplarDemos", "ExemplarData", "ExemplarEncoder", "ExemplarIndex", "ExemplarStore"]),
        .testTarget(
            name: "ExemplarServerTests",
            dependencies: ["ExemplarTestSupport", "ExemplarServer", "ExemplarJSON", "ExemplarIndex", "ExemplarEncoder", "ExemplarStore"]),
        .testTarget(
            name: "ExemplarLexicalTests",
            dependencies: ["ExemplarTestSupport", "ExemplarLexical", "ExemplarJSON"]),
        .testTarget(
            name: "ExemplarChartTests",
            dependencies: ["ExemplarChart"]),
        .testTarget(
            name: "ExemplarJSONTests",
            dependencies: ["ExemplarJSON"]),
        .testTarget(
            name: "ExemplarIOTests",
            dependencies: ["ExemplarTestSupport", "ExemplarIO", "ExemplarData", "ExemplarJSON"]),
        .testTarget(
            name: "ExemplarCLITests",
            dependencies: ["ExemplarTestSupport", "exemplar", "exemplar-bench", "ExemplarCLI", "ExemplarIO", "ExemplarIndex", "ExemplarStore",
                           "ExemplarServer", "ExemplarJSON", "ExemplarDemos"]),
        .testTarget(
            name: "ExemplarANNTests",
            dependencies: ["ExemplarANN"]),
    ],
    cxxLanguageStandard: .cxx17
)
