"""Example 2 of shared/reference/seed-examples.md, typed in once for every test that checks
it: the fifteen micro-steps in the article's order as (kind, document layer, exact value to
10 decimals). Headless: imports nothing."""

EXAMPLE_2_STEPS = [
    ("z", 1, 0.25),
    ("a", 1, 0.5621765009),
    ("z", 2, 0.5124353002),
    ("a", 2, 0.6253771919),
    ("loss", None, 0.3824825282),
    ("delta", 2, -0.2049071210),  # δ(3) = ∂L/∂ŷ · ∂ŷ/∂z(3) = -0.8746228081 · 0.2342805597
    ("grad_w", 2, -0.1151939683),
    ("grad_b", 2, -0.2049071210),
    ("delta", 1, -0.0100869253),
    ("grad_w", 1, -0.0050434626),
    ("grad_b", 1, -0.0100869253),
    ("update_w", 1, 0.3005043463),
    ("update_b", 1, 0.1010086925),
    ("update_w", 2, 0.2115193968),
    ("update_b", 2, 0.4204907121),
]
EXAMPLE_2_VALUES = [value for _, _, value in EXAMPLE_2_STEPS]


# What each micro-step of Example 3 (1-2-1, one sample) computes in its computational graph
# (maths/graph.py node ids), written out by hand.
EXAMPLE_3_GRAPH_STEPS = [
    ("z", {"mul1.0.0", "sum1.0"}),
    ("a", {"act1.0"}),
    ("z", {"mul1.1.0", "sum1.1"}),
    ("a", {"act1.1"}),
    ("z", {"mul2.0.0", "mul2.0.1", "sum2.0"}),
    ("a", {"act2.0"}),
    ("loss", {"term2.0", "loss2"}),
    ("delta", {"loss2", "term2.0", "act2.0", "sum2.0", "mul2.0.0", "mul2.0.1"}),
    ("grad_w", {"w2.0.0"}),
    ("grad_w", {"w2.0.1"}),
    ("grad_b", {"b2.0"}),
    ("delta", {"act1.0", "sum1.0", "mul1.0.0"}),
    ("grad_w", {"w1.0.0"}),
    ("grad_b", {"b1.0"}),
    ("delta", {"act1.1", "sum1.1", "mul1.1.0"}),
    ("grad_w", {"w1.1.0"}),
    ("grad_b", {"b1.1"}),
    ("update_w", {"w1.0.0"}),
    ("update_b", {"b1.0"}),
    ("update_w", {"w1.1.0"}),
    ("update_b", {"b1.1"}),
    ("update_w", {"w2.0.0"}),
    ("update_w", {"w2.0.1"}),
    ("update_b", {"b2.0"}),
]
