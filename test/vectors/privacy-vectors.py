"""Generate the independent reference values used by test/privacy: erfc.json, the "logA" part of
rdp.json and gaussian-mechanism.json, in high-precision arithmetic with mpmath (none of it reuses
the TypeScript code or its algorithms).

- erfc / erfcx / log erfc: mpmath at 50 digits, rounded to the nearest double.
- log A_alpha of the sampled Gaussian mechanism: numerical integration of its definition
  A_alpha = E_{z~N(0,s^2)}[((1-q) + q N(z;1,s^2)/N(z;0,s^2))^alpha] (Mironov, Talwar & Zhang 2019,
  Sec. 3.3) rather than the series the code sums.
- Analytic Gaussian mechanism (Balle & Wang 2018, Theorem 8): bisection on sigma of
  Phi(1/(2s) - e s) - exp(e) Phi(-1/(2s) - e s) <= delta at 60 digits.

The "published" part of rdp.json is copied from Opacus' tests and docstrings; its "crossChecked"
rows come from a separate SciPy evaluation of the Opacus formulas (see the source note there).

Run: python3 test/vectors/privacy-vectors.py   (prints the three sections as JSON)
"""
import json
import mpmath as mp


def erfc_section():
    mp.mp.dps = 50
    xs = [-6, -2, -1, -0.3, 0, 1e-20, 0.1, 0.46875, 0.5, 0.75, 1, 1.5, 2, 3, 4, 4.5, 5, 7, 10, 15, 20, 26]
    rows = [{"x": x, "erfc": float(mp.erfc(x)), "erfcx": float(mp.exp(mp.mpf(x) ** 2) * mp.erfc(x))} for x in xs]
    lx = [-3, 0.2, 0.5, 1, 5, 26, 27, 30, 50, 100, 1000, 1e5]
    return {"erfc": rows, "logErfc": [{"x": x, "logErfc": float(mp.log(mp.erfc(x)))} for x in lx]}


def log_a_by_quadrature(q, s, a):
    mp.mp.dps = 40
    q, s, a = mp.mpf(q), mp.mpf(s), mp.mpf(a)
    f = lambda z: mp.npdf(z, 0, s) * ((1 - q) + q * mp.npdf(z, 1, s) / mp.npdf(z, 0, s)) ** a
    z0 = s ** 2 * mp.log(1 / q - 1) + mp.mpf(0.5)  # where the integrand changes regime
    points = sorted({-mp.inf, -20 * s, mp.mpf(0), z0, mp.mpf(1), 20 * s + 1, mp.inf})
    return float(mp.log(mp.quad(f, points)))


def log_a_section():
    cases = [(0.04, 1.5, 1.5), (0.04, 1.5, 7.3), (0.01, 0.8, 2.5), (0.04, 1.5, 12), (0.2, 2.0, 3.7),
             (0.5, 1.0, 1.7), (0.04, 1.5, 3.9), (0.1, 0.7, 5.5), (0.3, 3.0, 20)]
    return [{"sampleRate": q, "noiseMultiplier": s, "order": a, "logA": log_a_by_quadrature(q, s, a)} for q, s, a in cases]


def gaussian_section():
    mp.mp.dps = 60

    def delta_at(s, e):
        s, e = mp.mpf(s), mp.mpf(e)
        return mp.ncdf(1 / (2 * s) - e * s) - mp.exp(e) * mp.ncdf(-1 / (2 * s) - e * s)

    out = []
    for e, d in [(1, 1e-5), (0.1, 1e-5), (0.5, 1e-6), (2, 1e-5), (8, 1e-5), (1, 1e-10), (0.01, 1e-3), (20, 1e-12)]:
        lo, hi = mp.mpf('1e-6'), mp.mpf(1e6)
        for _ in range(400):
            mid = (lo + hi) / 2
            if delta_at(mid, e) <= d:
                hi = mid
            else:
                lo = mid
        classical = mp.sqrt(2 * mp.log(mp.mpf(1.25) / d)) / e
        out.append({"epsilon": e, "delta": d, "sigma": float(hi), "classicalSigma": float(classical)})
    return out


if __name__ == "__main__":
    print(json.dumps({"erfc.json": erfc_section(), "rdp.json logA": log_a_section(),
                      "gaussian-mechanism.json": gaussian_section()}, indent=1))
