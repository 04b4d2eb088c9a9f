using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Evaluation;

/// <summary>
/// The Fréchet distance between Gaussians fitted to two feature sets (the FID formula):
/// ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½). The trace of the matrix square root is computed as the sum of square
/// roots of the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (symmetric, so a stable eigendecomposition applies), in float64.
/// </summary>
public static class FrechetDistance
{
    /// <param name="a">[N, D] features.</param>
    /// <param name="b">[M, D] features.</param>
    public static double Compute(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var (mu1, sigma1) = Moments(a);
        var (mu2, sigma2) = Moments(b);
        return FromMoments(mu1, sigma1, mu2, sigma2);
    }

    public static double FromMoments(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        using var scope = NewDisposeScope();
        var root1 = SymmetricSqrt(sigma1);
        var middle = root1.matmul(sigma2).matmul(root1);
        middle = middle.Add(middle.T).Mul(0.5);
        var eigen = torch.linalg.eigvalsh(middle).ClampMin(0);
        double traceSqrt = eigen.sqrt().sum().item<double>();
        double meanTerm = mu1.sub(mu2).Pow(2).sum().item<double>();
        return meanTerm + sigma1.trace().item<double>() + sigma2.trace().item<double>() - 2 * traceSqrt;
    }

    /// <summary>Mean [D] and unbiased covariance [D, D] in float64.</summary>
    public static (Tensor Mean, Tensor Covariance) Moments(Tensor features)
    {
        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float64);
        var mean = x.mean(new long[] { 0 });
        var centred = x.sub(mean);
        var covariance = centred.T.matmul(centred).Div(Math.Max(1, x.shape[0] - 1));
        return (mean.MoveToOuterDisposeScope(), covariance.MoveToOuterDisposeScope());
    }

    private static Tensor SymmetricSqrt(Tensor matrix)
    {
        var (values, vectors) = torch.linalg.eigh(matrix);
        return vectors.mul(values.ClampMin(0).sqrt().unsqueeze(0)).matmul(vectors.T);
    }
}
