"""jupyter_kernel_test's conformance suite, with every attribute set."""
import unittest
import jupyter_kernel_test as jkt
from conftest import KERNEL


class NablaKernelTests(jkt.KernelTests):
    kernel_name = KERNEL
    language_name = "nabla"
    file_extension = ".nabla"

    code_hello_world = "print('hello, world')"
    code_stderr = "warn('the learning rate is large')"
    completion_samples = [
        {"text": "soft", "matches": {"softmax", "softplus", "softmax_cross_entropy"}},
        {"text": "cross_ent", "matches": {"cross_entropy"}},
    ]
    complete_code_samples = ["x = 1", "print('a')", "for i in range(3):\n    x = i\n\n", "def f(x):\n    return x\n\n"]
    incomplete_code_samples = ["for i in range(3):", "x = (1 +", "def f(x):\n    return x"]
    invalid_code_samples = ["x = )", "1 +* 2", "def (x):"]
    code_page_something = "help(softmax)"
    code_generate_error = "undefined_name + 1"
    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "tensor([[1, 2], [3, 4]])", "mime": "text/latex", "result": "$\\begin{bmatrix}1 & 2 \\\\ 3 & 4\\end{bmatrix}$"},
        {"code": "softmax([3.2, 5.1, -1.7])", "result": "[     0.13,     0.869, 9.679e-04]"},
    ]
    code_display_data = [
        {"code": "display([1, 2])", "mime": "text/plain"},
        {"code": "display(tensor([[1, 2], [3, 4]]))", "mime": "text/latex"},
    ]
    code_history_pattern = "1 + ?"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "softmax"
    code_clear_output = "clear_output()"


class NablaIopubWelcome(jkt.IopubWelcomeTests):
    kernel_name = KERNEL
    support_iopub_welcome = True


if __name__ == "__main__":
    unittest.main()
