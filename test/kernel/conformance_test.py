"""Jupyter protocol conformance of the tslab-widgets kernel (python3-jupyter-kernel-test).

Run by test/kernel/conformance.test.ts with JUPYTER_PATH pointing at a freshly installed
kernelspec; every sample the suite takes is filled in, so no test is skipped.
"""

import unittest

import jupyter_kernel_test


class TslabWidgetsKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "tslab-widgets"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = "console.log('hello, world')"
    code_stderr = "console.error('something went wrong')"

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "const someLongName = 1; someLong", "matches": {"someLongName"}},
    ]

    complete_code_samples = ["1", "const a = 1;", "function f(x: number) { return x; }"]
    incomplete_code_samples = ["function f() {", "const a = [1,", "if (true) {"]
    invalid_code_samples = ["const = 1;", "1 +* 2", "let x = );"]

    code_page_something = "void require('tslab-widgets').page('paged help text')"

    code_generate_error = "throw new Error('boom')"

    code_execute_result = [
        {"code": "1 + 2", "result": "3"},
        {"code": "'a' + 'b'", "result": "'ab'"},
        {"code": "[1, 2].map((x) => x * 2)", "result": "[ 2, 4 ]"},
    ]

    code_display_data = [
        {"code": "require('tslab').display.html('<b>hi</b>')", "mime": "text/html"},
        {
            "code": "require('tslab-widgets').display({data: {'text/plain': 'x', 'image/svg+xml': '<svg/>'}})",
            "mime": "image/svg+xml",
        },
    ]

    code_history_pattern = "1 + *"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "require('tslab-widgets').clearOutput()"


if __name__ == "__main__":
    unittest.main()
