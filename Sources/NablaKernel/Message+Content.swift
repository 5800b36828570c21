import Foundation

// The content of every message the kernel reads or writes (protocol 5.5), one Codable struct
// per msg_type. Field names are the protocol's own (snake_case), so each struct reads as the
// specification and needs no CodingKeys. Request fields a client may leave out are optional,
// with the protocol's default applied by the handler; a field of the wrong type is an error
// reply (`MessageError`), never a silent default.

/// Content with a msg_type of its own (replies and iopub messages the kernel writes).
public protocol MessageContent: Codable, Sendable {
    static var msgType: String { get }
}

/// A message header; also the parent header a reply carries.
public struct Header: Codable, Sendable, Equatable {
    public var msg_id: String
    public var msg_type: String
    public var session: String?
    public var username: String?
    public var date: String?
    public var version: String?

    public init(msg_id: String, msg_type: String, session: String? = nil, username: String? = nil, date: String? = nil, version: String? = nil) {
        self.msg_id = msg_id; self.msg_type = msg_type; self.session = session; self.username = username; self.date = date; self.version = version
    }

    /// msg_id is required; the rest may be absent (a parent header clients write by hand often
    /// holds only msg_id; a request without msg_type is an unknown one), but never of another type.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        msg_id = try c.decode(String.self, forKey: .msg_id)
        msg_type = try c.decodeIfPresent(String.self, forKey: .msg_type) ?? ""
        session = try c.decodeIfPresent(String.self, forKey: .session)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        date = try c.decodeIfPresent(String.self, forKey: .date)
        version = try c.decodeIfPresent(String.self, forKey: .version)
    }
}

// MARK: Shell and control requests

public struct KernelInfoRequest: Codable, Sendable {}

public struct ExecuteRequest: Codable, Sendable {
    public var code: String?
    public var silent: Bool?
    public var store_history: Bool?
    public var user_expressions: [String: String]?
    public var allow_stdin: Bool?
    public var stop_on_error: Bool?
}

public struct CompleteRequest: Codable, Sendable {
    public var code: String?
    public var cursor_pos: Int?
}

public struct InspectRequest: Codable, Sendable {
    public var code: String?
    public var cursor_pos: Int?
    public var detail_level: Int?
}

public struct IsCompleteRequest: Codable, Sendable {
    public var code: String?
}

public struct HistoryRequest: Codable, Sendable {
    public var output: Bool?
    public var raw: Bool?
    public var hist_access_type: String?
    public var session: Int?
    public var start: Int?
    public var stop: Int?
    public var n: Int?
    public var pattern: String?
    public var unique: Bool?
}

public struct CommInfoRequest: Codable, Sendable {
    public var target_name: String?
}

public struct ShutdownRequest: Codable, Sendable {
    public var restart: Bool?
}

public struct InterruptRequest: Codable, Sendable {}

// MARK: Replies

public struct KernelInfoReply: MessageContent {
    public static let msgType = "kernel_info_reply"
    public struct LanguageInfo: Codable, Sendable {
        public var name, version, mimetype, file_extension, pygments_lexer, codemirror_mode, nbconvert_exporter: String
    }
    public struct HelpLink: Codable, Sendable { public var text, url: String }
    public var status = "ok"
    public var protocol_version: String
    public var implementation: String
    public var implementation_version: String
    public var language_info: LanguageInfo
    public var banner: String
    public var help_links: [HelpLink]
    public var debugger: Bool
}

/// One entry of an execute_reply's payload: text for the pager, or a request to exit.
public struct Payload: Codable, Sendable {
    public var source: String
    public var data: [String: String]?
    public var start: Int?
    public var keepkernel: Bool?
}

/// A user expression's value (a MIME bundle) or its error.
public struct ExpressionResult: Codable, Sendable {
    public var status: String
    public var data: [String: JSON]?
    public var metadata: [String: JSON]?
    public var ename: String?
    public var evalue: String?
    public var traceback: [String]?
}

public struct ExecuteReply: MessageContent {
    public static let msgType = "execute_reply"
    public var status: String
    public var execution_count: Int
    public var user_expressions: [String: ExpressionResult]?
    public var payload: [Payload]?
    public var ename: String?
    public var evalue: String?
    public var traceback: [String]?
}

public struct CompleteReply: MessageContent {
    public static let msgType = "complete_reply"
    public var status = "ok"
    public var matches: [String]
    public var cursor_start: Int
    public var cursor_end: Int
    public var metadata: [String: JSON] = [:]
}

public struct InspectReply: MessageContent {
    public static let msgType = "inspect_reply"
    public var status = "ok"
    public var found: Bool
    public var data: [String: JSON]
    public var metadata: [String: JSON] = [:]
}

public struct IsCompleteReply: MessageContent {
    public static let msgType = "is_complete_reply"
    public var status: String
    public var indent: String?
}

/// One history entry: `[session, line, input]`, or `[session, line, [input, output]]` when
/// output was asked for (the kernel keeps no outputs: null).
public struct HistoryItem: Codable, Sendable, Equatable {
    public var session: Int
    public var line: Int
    public var input: String
    public var withOutput: Bool

    public init(session: Int, line: Int, input: String, withOutput: Bool) {
        self.session = session; self.line = line; self.input = input; self.withOutput = withOutput
    }

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        session = try c.decode(Int.self)
        line = try c.decode(Int.self)
        let third = try c.decode(JSON.self)
        if case let .array(pair) = third, let i = pair.first?.stringValue {
            input = i
            withOutput = true
        } else if let i = third.stringValue {
            input = i
            withOutput = false
        } else {
            throw MessageError.wrongType(field: MessageError.path(c.codingPath + [AnyKey(index: 2)]), expected: "a str", got: third.typeName)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(session)
        try c.encode(line)
        if withOutput { try c.encode([JSON.string(input), .null]) } else { try c.encode(input) }
    }
}

public struct HistoryReply: MessageContent {
    public static let msgType = "history_reply"
    public var status = "ok"
    public var history: [HistoryItem]
}

public struct CommInfoReply: MessageContent {
    public static let msgType = "comm_info_reply"
    public struct Comm: Codable, Sendable { public var target_name: String }
    public var status = "ok"
    public var comms: [String: Comm]
}

public struct ShutdownReply: MessageContent {
    public static let msgType = "shutdown_reply"
    public var status = "ok"
    public var restart: Bool
}

public struct InterruptReply: MessageContent {
    public static let msgType = "interrupt_reply"
    public var status = "ok"
}

/// The reply to a request the kernel could not read (its msg_type decides the reply's).
public struct ErrorReply: Codable, Sendable {
    public var status = "error"
    public var ename: String
    public var evalue: String
    public var traceback: [String]
    public var execution_count: Int?
}

// MARK: stdin

public struct InputRequest: MessageContent {
    public static let msgType = "input_request"
    public var prompt: String
    public var password: Bool
}

public struct InputReply: MessageContent {
    public static let msgType = "input_reply"
    public var value: String
}

// MARK: Comms (their `data` is free-form JSON)

public struct CommOpen: MessageContent {
    public static let msgType = "comm_open"
    public var comm_id: String
    public var target_name: String
    public var data: JSON?
    public var metadata: JSON?
    public var target_module: String?
}

public struct CommMsg: MessageContent {
    public static let msgType = "comm_msg"
    public var comm_id: String
    public var data: JSON?
}

public struct CommClose: MessageContent {
    public static let msgType = "comm_close"
    public var comm_id: String
    public var data: JSON?
}

// MARK: iopub

public struct Status: MessageContent {
    public static let msgType = "status"
    public var execution_state: String
}

public struct StreamOutput: MessageContent {
    public static let msgType = "stream"
    public var name: String
    public var text: String
}

public struct ExecuteInput: MessageContent {
    public static let msgType = "execute_input"
    public var code: String
    public var execution_count: Int
}

/// `transient` of display messages: the id that later updates name.
public struct Transient: Codable, Sendable { public var display_id: String }

public struct DisplayData: MessageContent {
    public static let msgType = "display_data"
    public var data: [String: JSON]
    public var metadata: [String: JSON]
    public var transient: Transient?
}

public struct UpdateDisplayData: MessageContent {
    public static let msgType = "update_display_data"
    public var data: [String: JSON]
    public var metadata: [String: JSON]
    public var transient: Transient
}

public struct ExecuteResult: MessageContent {
    public static let msgType = "execute_result"
    public var execution_count: Int
    public var data: [String: JSON]
    public var metadata: [String: JSON]
}

public struct ErrorContent: MessageContent {
    public static let msgType = "error"
    public var ename: String
    public var evalue: String
    public var traceback: [String]
}

public struct ClearOutput: MessageContent {
    public static let msgType = "clear_output"
    public var wait: Bool
}

public struct IOPubWelcome: MessageContent {
    public static let msgType = "iopub_welcome"
    public var subscription: String
}
