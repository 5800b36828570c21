import Testing
@testable import NablaLanguage

/// The lecture notes' conventions where they differ from other libraries'.
@Suite struct NotesConventionsTests {
    @Test func leakyReluSlopeIsTheNotes() throws {
        let s = Session()
        // max(0.1x, x): the notes' slope unless alpha says otherwise.
        #expect(numbers(try value(s, "leaky_relu(tensor([-2.0, 3.0]))")) == [-0.2, 3])
        #expect(numbers(try value(s, "leaky_relu(tensor([-2.0]), alpha=0.01)")) == [-0.02])
    }

    @Test func hingeTakesOneColumnPerExample() throws {
        let s = Session()
        _ = run(s, "S = tensor([[3.2, 1.3, 2.2], [5.1, 4.9, 2.5], [-1.7, 2.0, -3.1]])")
        let columns = numbers(try value(s, "hinge(S, [0, 1, 2], axis=0)"))
        let rows = numbers(try value(s, "hinge(transpose(S), [0, 1, 2])"))
        #expect(columns == rows)
        #expect(zip(columns, [2.9, 0, 12.9]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(error(s, "hinge(S, [0, 1, 2], axis=5)")?.kind == .value)
    }

    @Test func elasticNetWeightsByKeyword() throws {
        let s = Session()
        // l1 weighs Σ|w| and l2 weighs Σw², by keyword in either order.
        let a = numbers(try value(s, "elastic_net(tensor([0.5, -0.3]), l2=0.2, l1=0.1)"))
        #expect(a.count == 1 && abs(a[0] - (0.1 * 0.8 + 0.2 * 0.34)) < 1e-12)
    }
}

/// Optimizers' learning rates: settable, and moved by PyTorch's schedules.
@Suite struct LearningRateTests {
    @Test func settableAndScheduled() throws {
        let s = Session()
        _ = run(s, "w = param([1.0])\nopt = sgd([w], lr=0.1)\nopt.lr = 0.5\nbackward(sum(w * w)); opt.step()")
        #expect(numbers(try value(s, "w")) == [0.0])                       // 1 − 0.5·2
        #expect(error(s, "opt.lr = -1")?.kind == .value)
        _ = run(s, "opt.lr = 0.1\nsched = step_lr(opt, step_size=2, gamma=0.5)")
        var seen = [Double]()
        for _ in 0..<5 { _ = run(s, "sched.step()"); seen += numbers(try value(s, "opt.lr")) }
        #expect(seen == [0.1, 0.05, 0.05, 0.025, 0.025])
        _ = run(s, "opt.lr = 1.0\ncos = cosine_lr(opt, t_max=2, eta_min=0.0)\ncos.step()")
        #expect(abs(numbers(try value(s, "opt.lr"))[0] - 0.5) < 1e-12)
        _ = run(s, "cos.step(); cos.step()")
        #expect(abs(numbers(try value(s, "opt.lr"))[0]) < 1e-12)           // stays at eta_min past t_max
        #expect(error(s, "step_lr(opt, step_size=0)")?.kind != nil)
        #expect(error(s, "step_lr(3, step_size=1)")?.kind == .type)
    }
}
