"""Golden values for StopsTests: Wilson intervals from statsmodels, Katz log rate-ratio intervals from the formula
with scipy's normal quantile. Run in a venv outside the repository:
    python3 -m venv /tmp/v && /tmp/v/bin/pip install statsmodels scipy
    /tmp/v/bin/python Tests/Fixtures/stops/make_golden.py > Tests/Fixtures/stops/golden.csv
"""
import math
from scipy.stats import norm
from statsmodels.stats.proportion import proportion_confint

z = norm.ppf(0.975)
print("kind,k,n,popA,popB,value,low,high")
for k, n in [(0, 10), (1, 10), (5, 10), (10, 10), (965, 4814), (1480, 4814), (3, 7), (1234, 1235)]:
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    print(f"wilson,{k},{n},,,{k / n!r},{lo!r},{hi!r}")
for a, pa, b, pb in [(200, 1000, 100, 1000), (2894, 70000, 1480, 150000), (5, 300, 40, 9000), (3, 10.5, 3, 10.5)]:
    rr = (a / pa) / (b / pb)
    se = math.sqrt(1 / a + 1 / b)
    print(f"katz,{a},{b},{pa!r},{pb!r},{rr!r},{rr * math.exp(-z * se)!r},{rr * math.exp(z * se)!r}")
from statsmodels.stats.proportion import proportions_ztest
for k1, n1, k2, n2 in [(408, 1426, 277, 606), (14, 87, 11, 31), (5, 10, 5, 10), (1, 50, 9, 40)]:
    zz, pp = map(float, proportions_ztest([k1, k2], [n1, n2]))
    print(f"ztest,{k1},{n1},{k2!r},{n2!r},{k1 / n1 - k2 / n2!r},{zz!r},{pp!r}")
