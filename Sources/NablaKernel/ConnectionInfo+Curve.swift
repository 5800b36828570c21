import CZeroMQ
import Foundation

/// A CurveZMQ key pair in Z85 (40 characters each for 32 bytes), as a connection file carries
/// it in `curve_publickey` and `curve_secretkey`. With one, every socket is a CURVE server:
/// clients must know the public key, and all traffic is encrypted.
public struct CurveKeys: Equatable, Sendable {
    public let publicKey: String
    public let secretKey: String

    /// A fresh key pair from libzmq.
    public static func generate() throws -> CurveKeys {
        var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw KernelError.curve("libzmq cannot make CURVE keys (built without CURVE?)") }
        return CurveKeys(checkedPublic: String(cString: pub), secret: String(cString: sec))
    }

    private init(checkedPublic: String, secret: String) { publicKey = checkedPublic; secretKey = secret }

    /// Checks a secret key and derives its public key; a public key given must be that one.
    public init(secretKey: String, publicKey: String?) throws {
        guard CurveKeys.decode(secretKey) != nil else { throw KernelError.curve("curve_secretkey is not a 40-character Z85 key") }
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secretKey) == 0 else { throw KernelError.curve("libzmq cannot derive the CURVE public key") }
        let derived = String(cString: pub)
        if let publicKey, publicKey != derived { throw KernelError.curve("curve_publickey does not belong to curve_secretkey") }
        self.publicKey = derived
        self.secretKey = secretKey
    }

    /// The 32 bytes of a Z85 key, or nil when `z85` is not one.
    static func decode(_ z85: String) -> [UInt8]? {
        guard z85.utf8.count == 40, z85.utf8.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        return zmq_z85_decode(&out, z85) == nil ? nil : out
    }

    /// Makes a socket a CURVE server with this key (before it binds).
    func serve(on socket: ZMQSocket) {
        guard let secret = CurveKeys.decode(secretKey) else { return }
        socket.setOption(ZMQ_CURVE_SERVER, 1)
        socket.setOption(ZMQ_CURVE_SECRETKEY, Data(secret))
    }
}
