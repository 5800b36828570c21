import NablaTensor
import NablaAutograd
var g = Xoshiro256(seed: 1)
let x = Variable.param(try Tensor.randn([3, 4], using: &g))
let ga = Variable.param(Tensor([1, 2, 0.5, -1])), be = Variable.param(Tensor([0, 0.1, 0.2, 0.3]))
let w = Variable(try Tensor.randn([3, 4], using: &g))
let L = try (F.batchnorm(x, gamma: ga, beta: be) * w).sum()
print(try Autograd.grad(L, wrt: [x, ga, be]))
let r = try GradCheck.check([x.value, ga.value, be.value]) { v in try (F.batchnorm(v[0], gamma: v[1], beta: v[2]) * w).sum() }
print(r)
