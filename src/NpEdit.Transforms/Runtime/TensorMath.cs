using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Runtime;

/// <summary>
/// Tensor arithmetic with plain numbers that never lets the garbage collector free a <see cref="Scalar"/> while
/// libtorch is still reading it. Use these instead of TorchSharp's overloads that take numbers.
/// </summary>
/// <remarks>
/// TorchSharp wraps each number in a <see cref="Scalar"/> whose finalizer frees the native value. When that Scalar
/// is a temporary (an implicit conversion at the call site, or the <c>alpha = 1</c> that <c>add(Tensor)</c> makes
/// for itself), nothing references it once its handle has been passed to native code, so a collection triggered by
/// another thread can free it mid-call. libtorch then reads freed memory ("toFloat at c10/core/Scalar.h"): our
/// test suite failed this way about one run in five. Here every Scalar either lives for the whole process or is
/// held by <c>using</c> until the call has returned. <c>BannedSymbols.txt</c> refuses the unsafe overloads at
/// compile time; see docs/torchsharp-scalars.md.
/// </remarks>
public static class TensorMath
{
    // Integral, so that it is a valid alpha for integer tensors as well as floating ones.
    private static readonly Scalar One = 1L.ToScalar();

    // Keeps the Scalar alive until the call that reads it has returned, then frees it at once.
    private static Tensor Held(Scalar scalar, Func<Scalar, Tensor> call)
    {
        using (scalar) return call(scalar);
    }

    /// <summary><c>x + other</c>.</summary>
    public static Tensor Add(this Tensor x, Tensor other) => x.add(other, One);

    /// <summary><c>x += other</c>, in place.</summary>
    public static Tensor AddInPlace(this Tensor x, Tensor other) => x.add_(other, One);

    /// <summary><c>x += value</c>, in place, for a Scalar the caller keeps alive.</summary>
    public static Tensor AddInPlace(this Tensor x, Scalar value) => x.add_(value, One);

    /// <summary><c>x + value</c>.</summary>
    public static Tensor Add(this Tensor x, double value) => Held(value.ToScalar(), s => x.add(s, One));

    /// <summary><c>x + value</c>; an integer keeps an integer tensor integral.</summary>
    public static Tensor Add(this Tensor x, long value) => Held(value.ToScalar(), s => x.add(s, One));

    /// <summary><c>x - value</c>.</summary>
    public static Tensor Sub(this Tensor x, double value) => Held(value.ToScalar(), s => x.sub(s));

    /// <summary><c>x - value</c>; an integer keeps an integer tensor integral.</summary>
    public static Tensor Sub(this Tensor x, long value) => Held(value.ToScalar(), s => x.sub(s));

    /// <summary><c>value - x</c>, e.g. <c>1 - t</c>.</summary>
    public static Tensor SubtractedFrom(this Tensor x, double value) =>
        Held(value.ToScalar(), s => x.neg().add(s, One));

    /// <summary><c>x * value</c>.</summary>
    public static Tensor Mul(this Tensor x, double value) => Held(value.ToScalar(), s => x.mul(s));

    /// <summary><c>x * value</c>; an integer keeps an integer tensor integral.</summary>
    public static Tensor Mul(this Tensor x, long value) => Held(value.ToScalar(), s => x.mul(s));

    /// <summary><c>x *= value</c>, in place.</summary>
    public static Tensor MulInPlace(this Tensor x, double value) => Held(value.ToScalar(), s => x.mul_(s));

    /// <summary><c>x / value</c> (true division).</summary>
    public static Tensor Div(this Tensor x, double value) => Held(value.ToScalar(), s => x.div(s));

    /// <summary><c>x ^ exponent</c>.</summary>
    public static Tensor Pow(this Tensor x, double exponent) => Held(exponent.ToScalar(), s => x.pow(s));

    /// <summary>Clamps into <c>[min, max]</c>.</summary>
    public static Tensor Clamp(this Tensor x, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return x.clamp(lo, hi);
    }

    /// <summary>Clamps into <c>[min, max]</c>, in place.</summary>
    public static Tensor ClampInPlace(this Tensor x, double min, double max)
    {
        using var lo = min.ToScalar();
        using var hi = max.ToScalar();
        return x.clamp_(lo, hi);
    }

    /// <summary>Clamps from below.</summary>
    public static Tensor ClampMin(this Tensor x, double min) => Held(min.ToScalar(), s => x.clamp_min(s));

    /// <summary>Fills with <paramref name="value"/>, in place.</summary>
    public static Tensor FillInPlace(this Tensor x, double value) => Held(value.ToScalar(), s => x.fill_(s));

    /// <summary>Fills with <paramref name="value"/>, in place (integer tensors).</summary>
    public static Tensor FillInPlace(this Tensor x, long value) => Held(value.ToScalar(), s => x.fill_(s));

    /// <summary>Fills with <paramref name="value"/>, in place (boolean tensors).</summary>
    public static Tensor FillInPlace(this Tensor x, bool value) => Held(value.ToScalar(), s => x.fill_(s));

    /// <summary>Sets the elements where <paramref name="mask"/> is true to <paramref name="value"/>.</summary>
    public static Tensor MaskedFill(this Tensor x, Tensor mask, double value) =>
        Held(value.ToScalar(), s => x.masked_fill(mask, s));

    /// <summary>Element-wise <c>x == value</c>.</summary>
    public static Tensor Eq(this Tensor x, long value) => Held(value.ToScalar(), s => x.eq(s));

    /// <summary>Element-wise <c>x &gt; value</c>.</summary>
    public static Tensor Gt(this Tensor x, double value) => Held(value.ToScalar(), s => x.gt(s));

    /// <summary>Element-wise <c>x &lt; value</c>.</summary>
    public static Tensor Lt(this Tensor x, double value) => Held(value.ToScalar(), s => x.lt(s));

    /// <summary>Python-style remainder by an integer.</summary>
    public static Tensor Remainder(this Tensor x, long divisor) => Held(divisor.ToScalar(), s => x.remainder(s));

    /// <summary><c>log(1 + exp(x))</c>, computed stably as <c>-logsigmoid(-x)</c>.</summary>
    /// <remarks>TorchSharp's <c>softplus</c> passes its beta and threshold as temporary Scalars.</remarks>
    public static Tensor Softplus(this Tensor x) => nn.functional.logsigmoid(x.neg()).neg();

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Full(long[] shape, double value, ScalarType? dtype = null, Device? device = null) =>
        Held(value.ToScalar(), s => torch.full(shape, s, dtype: dtype, device: device));

    /// <summary><c>[start, start + step, ...)</c> below <paramref name="stop"/>.</summary>
    public static Tensor Arange(long start, long stop, long step = 1, ScalarType? dtype = null, Device? device = null)
    {
        using var a = start.ToScalar();
        using var b = stop.ToScalar();
        using var c = step.ToScalar();
        return torch.arange(a, b, c, dtype: dtype, device: device);
    }
}
