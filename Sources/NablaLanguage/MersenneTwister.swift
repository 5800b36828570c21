import Foundation

/// The Mersenne Twister MT19937 with the exact draws of CPython's `random` module and of
/// numpy's legacy `np.random` (RandomState), so a seeded student program prints the numbers
/// it prints under CPython. (Nabla's own `seed`/`rand`/`randn` keep their xoshiro256** stream.)
final class MersenneTwister {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 624
    /// CPython's random.gauss keeps the second value of each Box–Muller pair.
    var gaussNext: Double?
    /// numpy's legacy_gauss keeps the second value of each polar pair.
    var legacyGauss: Double?

    init(seed: UInt32 = 5489) { initGenrand(seed) }

    func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 { mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i) }
        index = 624
        gaussNext = nil; legacyGauss = nil
    }

    func initByArray(_ key: [UInt32]) {
        initGenrand(19650218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1664525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1566083941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x8000_0000
        index = 624
        gaussNext = nil; legacyGauss = nil
    }

    /// CPython's `random.seed(n)` for an int n: the 32-bit words of |n|.
    func seedPython(_ n: Int) {
        var m = n.magnitude
        var key = [UInt32]()
        repeat { key.append(UInt32(truncatingIfNeeded: m)); m >>= 32 } while m > 0
        initByArray(key)
    }

    func next32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7fff_ffff)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_b0df : 0)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    func next64() -> UInt64 { UInt64(next32()) << 32 | UInt64(next32()) }

    /// A double in [0, 1) with 53 random bits (CPython's random(), numpy's random_sample).
    func double() -> Double {
        let a = Double(next32() >> 5), b = Double(next32() >> 6)
        return (a * 67108864.0 + b) / 9007199254740992.0
    }

    // MARK: CPython

    func getrandbits(_ k: Int) -> UInt64 {
        if k <= 0 { return 0 }
        if k <= 32 { return UInt64(next32() >> (32 - UInt32(k))) }
        var r: UInt64 = 0, shift: UInt64 = 0, left = k
        while left > 0 {
            var w = UInt64(next32())
            if left < 32 { w >>= UInt64(32 - left) }
            r |= w << shift
            shift += 32; left -= 32
        }
        return r
    }

    /// CPython's `_randbelow(n)`: rejection sampling on n.bit_length() random bits.
    func randbelow(_ n: Int) -> Int {
        guard n > 0 else { return 0 }
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = getrandbits(k)
        while r >= UInt64(n) { r = getrandbits(k) }
        return Int(r)
    }

    func gaussPython(_ mu: Double, _ sigma: Double) -> Double {
        var z = gaussNext
        gaussNext = nil
        if z == nil {
            let x2pi = double() * 2 * Double.pi
            let g2rad = (-2.0 * Foundation.log(1.0 - double())).squareRoot()
            z = Foundation.cos(x2pi) * g2rad
            gaussNext = Foundation.sin(x2pi) * g2rad
        }
        return mu + z! * sigma
    }

    // MARK: numpy (legacy RandomState)

    func gaussLegacy() -> Double {
        if let g = legacyGauss { legacyGauss = nil; return g }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * double() - 1.0
            x2 = 2.0 * double() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * Foundation.log(r2) / r2).squareRoot()
        legacyGauss = f * x1
        return f * x2
    }

    static func mask(_ max: UInt64) -> UInt64 {
        var m = max
        m |= m >> 1; m |= m >> 2; m |= m >> 4; m |= m >> 8; m |= m >> 16; m |= m >> 32
        return m
    }

    /// numpy's random_interval: uniform in [0, max] by masked rejection.
    func interval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        let m = MersenneTwister.mask(max)
        if max <= 0xffff_ffff {
            var v = UInt64(next32()) & m
            while v > max { v = UInt64(next32()) & m }
            return v
        }
        var v = next64() & m
        while v > max { v = next64() & m }
        return v
    }

    /// numpy's legacy randint draw: low + a masked-rejection sample of [0, high − low − 1].
    func boundedLegacy(low: Int, high: Int) -> Int {
        let rng = UInt64(high - low - 1)
        if rng == 0 { return low }
        if rng == 0xffff_ffff { return low + Int(next32()) }
        if rng < 0xffff_ffff {
            let m = MersenneTwister.mask(rng)
            var v = UInt64(next32()) & m
            while v > rng { v = UInt64(next32()) & m }
            return low + Int(v)
        }
        let m = MersenneTwister.mask(rng)
        var v = next64() & m
        while v > rng { v = next64() & m }
        return low + Int(v)
    }
}
