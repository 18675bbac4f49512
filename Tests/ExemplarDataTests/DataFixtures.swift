import ExemplarData
import ExemplarTestSupport
import Foundation
import Testing

/// The committed dataset fixtures in Tests/Fixtures/data (made by its make-fixtures.py).
enum DataFixtures {
    static let root = Fixtures.url("data")

    static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// Reads a fixture of `task`; errors name the fixture's full path.
    static func read(_ relativePath: String, task: LMBFFTask, skipBadRows: Bool = false) throws(DataError) -> ReadResult {
        try DatasetReader.read(url(relativePath), task: task, skipBadRows: skipBadRows)
    }
}

/// Parses `text` as a file called `name` laid out as `task`'s files are.
func parse(_ text: String, name: String = "train.tsv", task: LMBFFTask, skipBadRows: Bool = false) throws(DataError) -> ReadResult {
    try DatasetReader.parse(Data(text.utf8), name: name, layout: task.layout, labels: task.labelSpace, skipBadRows: skipBadRows)
}

/// The `DataError` that `body` throws, or nil (any other error is a test failure).
func dataError<T>(_ body: () throws -> T) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        Issue.record("expected a DataError, got \(error)")
        return nil
    }
}
