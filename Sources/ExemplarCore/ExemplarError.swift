/// An error a user can act on, whichever front end reports it.
///
/// `description` says what went wrong, where (file:line, the JSON field, the option) and what
/// to do. `exitCode` is the process status when it ends a command; `httpStatus` the status
/// when it answers a request. Every module's error type adopts this protocol, so the CLI and
/// the service each map errors in one place, with no list of types to keep up to date.
public protocol ExemplarError: Error, CustomStringConvertible, Sendable {
    /// 2: the user's usage or input (bad option, bad data, a missing or broken model); 1: a failure.
    var exitCode: Int32 { get }
    /// 4xx when the request is at fault, 5xx when the server is.
    var httpStatus: Int { get }
    /// The JSON field (path, such as `queries[2].text`) or option at fault, when one is.
    var field: String? { get }
}

extension ExemplarError {
    /// 400 for input errors (exit code 2), 500 otherwise.
    public var httpStatus: Int { exitCode == 2 ? 400 : 500 }
    public var field: String? { nil }
}

/// Exit code of an error that ends a command: its own for an `ExemplarError`, else 1.
public func exitCode(of error: any Error) -> Int32 {
    (error as? any ExemplarError)?.exitCode ?? 1
}
