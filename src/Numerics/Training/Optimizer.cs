using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pipeline.Numerics.Training;

/// <summary>
/// Applies one update to the flat parameter vector from the flat gradient, with the optimizer state (momentum,
/// Adam moments) held alongside. One fused SIMD loop per step; the formulas follow PyTorch's so results are
/// comparable.
/// </summary>
public sealed class Optimizer
{
    private readonly TrainerSettings _settings;
    private readonly AlignedBuffer _first;
    private readonly AlignedBuffer _second;
    private long _step;

    /// <summary>Creates the state for <paramref name="parameterCount"/> parameters.</summary>
    public Optimizer(TrainerSettings settings, int parameterCount)
    {
        _settings = settings;
        bool needsFirst = settings.Optimizer != OptimizerKind.Sgd || settings.Momentum > 0;
        _first = new AlignedBuffer(needsFirst ? parameterCount : 0);
        _second = new AlignedBuffer(settings.Optimizer == OptimizerKind.Sgd ? 0 : parameterCount);
    }

    /// <summary>Updates taken so far.</summary>
    public long StepCount => _step;

    /// <summary>One update. <paramref name="gradients"/> may be modified (weight decay is folded into it).</summary>
    public void Step(Span<float> parameters, Span<float> gradients)
    {
        _step++;
        switch (_settings.Optimizer)
        {
            case OptimizerKind.Sgd:
                SgdStep(parameters, gradients);
                break;
            case OptimizerKind.Adam:
            case OptimizerKind.AdamW:
                AdamStep(parameters, gradients);
                break;
            default:
                throw new InvalidOperationException($"Unknown optimizer {_settings.Optimizer}.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SgdStep(Span<float> w, Span<float> g)
    {
        float lr = _settings.LearningRate;
        float decay = _settings.WeightDecay;
        float mu = _settings.Momentum;
        bool nesterov = _settings.Nesterov;
        bool firstStep = _step == 1;
        var v = _first.Span;
        for (int i = 0; i < w.Length; i++)
        {
            float grad = g[i] + (decay * w[i]);
            if (mu > 0)
            {
                // PyTorch: v = g on the first step, then v = mu·v + g; Nesterov steps along g + mu·v.
                v[i] = firstStep ? grad : (mu * v[i]) + grad;
                grad = nesterov ? grad + (mu * v[i]) : v[i];
            }

            w[i] -= lr * grad;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AdamStep(Span<float> w, Span<float> g)
    {
        float beta1 = _settings.Beta1;
        float beta2 = _settings.Beta2;
        float lr = _settings.LearningRate;
        bool decoupled = _settings.Optimizer == OptimizerKind.AdamW;
        float l2 = decoupled ? 0 : _settings.WeightDecay;
        float shrink = decoupled ? 1f - (lr * _settings.WeightDecay) : 1f;
        double correction1 = 1 - Math.Pow(beta1, _step);
        double correction2 = 1 - Math.Pow(beta2, _step);
        // PyTorch: w -= (lr / c1) · m / (sqrt(v) / sqrt(c2) + eps)
        float stepSize = (float)(lr / correction1);
        float inverseSqrtC2 = (float)(1 / Math.Sqrt(correction2));
        float eps = _settings.Epsilon;
        var m = _first.Span;
        var v = _second.Span;

        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vBeta1 = new Vector<float>(beta1);
            var vBeta2 = new Vector<float>(beta2);
            var vOneMinusBeta1 = new Vector<float>(1 - beta1);
            var vOneMinusBeta2 = new Vector<float>(1 - beta2);
            var vL2 = new Vector<float>(l2);
            var vShrink = new Vector<float>(shrink);
            var vStep = new Vector<float>(stepSize);
            var vInvC2 = new Vector<float>(inverseSqrtC2);
            var vEps = new Vector<float>(eps);
            for (; i <= w.Length - width; i += width)
            {
                var wi = new Vector<float>(w[i..]);
                var gi = new Vector<float>(g[i..]) + (vL2 * wi);
                var mi = (vBeta1 * new Vector<float>(m[i..])) + (vOneMinusBeta1 * gi);
                var vi = (vBeta2 * new Vector<float>(v[i..])) + (vOneMinusBeta2 * gi * gi);
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                wi = (wi * vShrink) - (vStep * mi / ((Vector.SquareRoot(vi) * vInvC2) + vEps));
                wi.CopyTo(w[i..]);
            }
        }

        for (; i < w.Length; i++)
        {
            float gi = g[i] + (l2 * w[i]);
            m[i] = (beta1 * m[i]) + ((1 - beta1) * gi);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * gi * gi);
            w[i] = (w[i] * shrink) - (stepSize * m[i] / ((MathF.Sqrt(v[i]) * inverseSqrtC2) + eps));
        }
    }
}
