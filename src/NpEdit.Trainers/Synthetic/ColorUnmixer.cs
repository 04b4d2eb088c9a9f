namespace NpEdit.Trainers.Synthetic;

/// <summary>
/// Explains a pixel as a blend of the background and one object colour: <c>p = B + a (C - B)</c>. Anti-aliased
/// and blurred edges are exactly such blends, so projecting onto each <c>C - B</c> gives the coverage <c>a</c> and the
/// residual says which colour the blend is made of. Plain nearest-colour quantisation would call the edge of a red
/// object on white "pink"; unmixing does not.
/// </summary>
internal sealed class ColorUnmixer
{
    private readonly float _bgR, _bgG, _bgB;
    private readonly float[] _dirR, _dirG, _dirB, _invNorm2;

    public ColorUnmixer(PaletteColor background, IReadOnlyList<PaletteColor> colors)
    {
        Colors = colors;
        (_bgR, _bgG, _bgB) = (background.R, background.G, background.B);
        _dirR = colors.Select(c => c.R - _bgR).ToArray();
        _dirG = colors.Select(c => c.G - _bgG).ToArray();
        _dirB = colors.Select(c => c.B - _bgB).ToArray();
        _invNorm2 = colors.Select((_, i) => 1f / (_dirR[i] * _dirR[i] + _dirG[i] * _dirG[i] + _dirB[i] * _dirB[i])).ToArray();
    }

    public IReadOnlyList<PaletteColor> Colors { get; }

    /// <summary>Coverage of colour <paramref name="k"/> in [0, 1] that best explains the pixel.</summary>
    public float Alpha(int k, byte r, byte g, byte b)
    {
        float dr = r - _bgR, dg = g - _bgG, db = b - _bgB;
        return Math.Clamp((dr * _dirR[k] + dg * _dirG[k] + db * _dirB[k]) * _invNorm2[k], 0f, 1f);
    }

    /// <summary>Squared RGB distance between the pixel and its best blend of the background with colour <paramref name="k"/>.</summary>
    public float Residual(int k, byte r, byte g, byte b)
    {
        float a = Alpha(k, r, g, b);
        float er = r - _bgR - a * _dirR[k], eg = g - _bgG - a * _dirG[k], eb = b - _bgB - a * _dirB[k];
        return er * er + eg * eg + eb * eb;
    }

    /// <summary>The colour whose blend fits best, and its coverage.</summary>
    public (int Color, float Alpha) Best(byte r, byte g, byte b)
    {
        int best = 0;
        float bestResidual = float.MaxValue;
        for (int k = 0; k < Colors.Count; k++)
        {
            float residual = Residual(k, r, g, b);
            if (residual < bestResidual) (best, bestResidual) = (k, residual);
        }
        return (best, Alpha(best, r, g, b));
    }
}
