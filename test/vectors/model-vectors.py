"""Generate test/vectors/model.json: known answers for src/model, computed independently of
the TypeScript code in 50-digit arithmetic with mpmath.

Losses are evaluated from their textbook definitions (log loss -y*log(p) - (1-y)*log(1-p), not
the softplus form used in src/model) and gradients by mpmath.diff (high-precision numerical
differentiation), so neither the loss rewriting nor the hand-written backpropagation is
reused. Optimizer steps follow PyTorch's SGD (momentum, dampening 0) and Kingma & Ba (2015)
Algorithm 1 for Adam.

Run: python3 test/vectors/model-vectors.py > test/vectors/model.json
"""
import json
from mpmath import mp, mpf, exp, log, tanh, diff, sqrt

mp.dps = 50


def sigmoid(z):
    return 1 / (1 + exp(-z))


def logloss(z, y):
    p = sigmoid(z)
    return -y * log(p) - (1 - y) * log(1 - p)


def objective(logits, theta, X, Y, W, l2, mu, anchor, weight_idx):
    total = sum(W)
    data = sum(w * logloss(logits(theta, x), y) for x, y, w in zip(X, Y, W)) / total
    pen = l2 / 2 * sum(theta[i] ** 2 for i in weight_idx)
    pen += mu / 2 * sum((t - a) ** 2 for t, a in zip(theta, anchor))
    return data + pen


def gradient(f, theta):
    out = []
    for i in range(len(theta)):
        def fi(v, i=i):
            t = list(theta)
            t[i] = v
            return f(t)
        out.append(diff(fi, theta[i]))
    return out


def logreg_logit(theta, x):
    d = len(x)
    return theta[d] + sum(theta[j] * x[j] for j in range(d))


def mlp_logit_factory(d, hidden, act):
    def logit(theta, x):
        pos = 0
        inp = list(x)
        fan = d
        for h in hidden:
            W = theta[pos:pos + h * fan]; pos += h * fan
            b = theta[pos:pos + h]; pos += h
            pre = [b[j] + sum(W[j * fan + k] * inp[k] for k in range(fan)) for j in range(h)]
            for v in pre:
                assert abs(v) > mpf('0.05'), 'pre-activation too close to the ReLU kink'
            inp = [max(v, 0) if act == 'relu' else tanh(v) for v in pre]
            fan = h
        w = theta[pos:pos + fan]; pos += fan
        return theta[pos] + sum(w[k] * inp[k] for k in range(fan))
    return logit


def weight_indices(d, hidden):
    idx, pos, fan = [], 0, d
    for h in hidden:
        idx += list(range(pos, pos + h * fan)); pos += h * fan + h
        fan = h
    idx += list(range(pos, pos + fan))
    return idx


def case(name, kind, d, hidden, act, theta, X, Y, W, l2, mu, anchor):
    theta = [mpf(v) for v in theta]
    Xm = [[mpf(v) for v in row] for row in X]
    Ym = [mpf(v) for v in Y]
    Wm = [mpf(v) for v in W]
    anc = [mpf(v) for v in anchor]
    if kind == 'logreg':
        logit, widx = logreg_logit, list(range(d))
    else:
        logit, widx = mlp_logit_factory(d, hidden, act), weight_indices(d, hidden)
    f = lambda t: objective(logit, t, Xm, Ym, Wm, mpf(l2), mpf(mu), anc, widx)
    plain = lambda t: objective(logit, t, Xm, Ym, [mpf(1)] * len(Y), 0, 0, anc, widx)
    probs = [sigmoid(logit(theta, x)) for x in Xm]
    return {
        'name': name,
        'source': 'mpmath 50-digit evaluation of the textbook log loss; gradient by mpmath.diff (test/vectors/model-vectors.py)',
        'kind': kind, 'numFeatures': d, 'hidden': hidden, 'activation': act,
        'parameters': [float(v) for v in theta],
        'x': X, 'y': Y, 'weights': W, 'l2': l2, 'proximalMu': mu, 'anchor': anchor,
        'proba': [float(p) for p in probs],
        'loss': float(f(theta)), 'gradient': [float(g) for g in gradient(f, theta)],
        'plainLoss': float(plain(theta)), 'plainGradient': [float(g) for g in gradient(plain, theta)],
    }


X = [[1, 2, -1], [0.5, 0, 3], [-2, 1, 0.25]]
Y = [1, 0, 1]
W = [2, 1, 0.5]
cases = [
    case('logreg d=3, weighted, l2 and proximal', 'logreg', 3, [], None,
         [0.5, -1.25, 2, -0.3], X, Y, W, 0.1, 0.2, [0.1, 0.2, -0.3, 0.4]),
    case('mlp d=3 hidden [3] relu, weighted, l2 and proximal', 'mlp', 3, [3], 'relu',
         [0.4, -0.3, 0.2, -0.5, 0.6, 0.1, 0.3, 0.3, -0.7,  0.1, -0.2, 0.05,  0.8, -0.6, 0.5,  0.15],
         X, Y, W, 0.1, 0.2, [0.0] * 16),
    case('mlp d=3 hidden [3,2] tanh, weighted, l2 and proximal', 'mlp', 3, [3, 2], 'tanh',
         [0.4, -0.3, 0.2, -0.5, 0.6, 0.1, 0.3, 0.3, -0.7,  0.1, -0.2, 0.05,
          0.7, -0.4, 0.3, -0.2, 0.5, 0.9,  -0.1, 0.2,  1.1, -0.8,  0.25],
         X, Y, W, 0.05, 0.3, [0.01 * i for i in range(23)]),
]


def adam(theta, grads, lr, b1=mpf('0.9'), b2=mpf('0.999'), eps=mpf('1e-8')):
    theta = [mpf(v) for v in theta]; m = [mpf(0)] * len(theta); v = [mpf(0)] * len(theta)
    out = []
    for t, g in enumerate(grads, start=1):
        g = [mpf(x) for x in g]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        theta = [th - lr * (mi / (1 - b1 ** t)) / (sqrt(vi / (1 - b2 ** t)) + eps) for th, mi, vi in zip(theta, m, v)]
        out.append([float(x) for x in theta])
    return out


def sgd(theta, grads, lr, momentum):
    theta = [mpf(v) for v in theta]; vel = [mpf(0)] * len(theta)
    out = []
    for g in grads:
        vel = [momentum * vi + mpf(gi) for vi, gi in zip(vel, g)]
        theta = [th - lr * vi for th, vi in zip(theta, vel)]
        out.append([float(x) for x in theta])
    return out


theta0 = [1, -2, 0.5]
grads = [[0.2, -0.5, 0], [0.1, 0.3, -1], [-0.4, 0.2, 2]]
optimizers = [
    {'name': 'adam lr=0.1 defaults', 'source': 'Kingma & Ba 2015 Algorithm 1 in mpmath (test/vectors/model-vectors.py)',
     'optimizer': 'adam', 'lr': 0.1, 'initial': theta0, 'gradients': grads, 'after': adam(theta0, grads, mpf('0.1'))},
    {'name': 'sgd lr=0.1 momentum=0.9', 'source': 'PyTorch SGD update v=m*v+g, theta-=lr*v, in mpmath (test/vectors/model-vectors.py)',
     'optimizer': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'initial': theta0, 'gradients': grads,
     'after': sgd(theta0, grads, mpf('0.1'), mpf('0.9'))},
    {'name': 'sgd lr=0.5 no momentum', 'source': 'theta-=lr*g by hand: [1,-2,0.5] -> [0.9,-1.75,0.5] -> [0.85,-1.9,1] -> [1.05,-2,0]',
     'optimizer': 'sgd', 'lr': 0.5, 'momentum': 0, 'initial': theta0, 'gradients': grads,
     'after': [[0.9, -1.75, 0.5], [0.85, -1.9, 1.0], [1.05, -2.0, 0.0]]},
]
check = sgd(theta0, grads, mpf('0.5'), mpf(0))
for a, b in zip(check, optimizers[2]['after']):
    assert all(abs(p - q) < 1e-12 for p, q in zip(a, b)), (a, b)

print(json.dumps({
    'description': 'Known-answer vectors for src/model: loss, gradient and probabilities of fixed small models, and optimizer trajectories. Generated by test/vectors/model-vectors.py (mpmath, 50 digits).',
    'models': cases, 'optimizers': optimizers}, indent=1))
