using NpEdit.Transforms.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>The Qwen2 decoder body (<c>model.*</c>): token embeddings, blocks, final RMSNorm.</summary>
public sealed class Qwen2Model : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly Embedding embed_tokens;
    private readonly ModuleList<Qwen2DecoderLayer> layers;
    private readonly RMSNorm norm;
#pragma warning restore IDE1006
    private readonly TextModelConfig _config;
    // Scalars held for the process's lifetime, not converted implicitly per call (see ImageTensors): this runs on
    // every judge forward.
    private static readonly Scalar One = 1L.ToScalar();
    private static readonly Scalar Zero = 0L.ToScalar();

    public Qwen2Model(TextModelConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(Qwen2Model))
    {
        _config = config;
        embed_tokens = nn.Embedding(config.VocabSize, config.HiddenSize, device: device, dtype: dtype);
        layers = new ModuleList<Qwen2DecoderLayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++) layers.Add(new Qwen2DecoderLayer(config, device, dtype));
        norm = new RMSNorm(config.HiddenSize, config.RmsNormEps, device, dtype);
        RegisterComponents();
    }

    public Embedding EmbedTokens => embed_tokens;

    /// <summary>
    /// Final normalised hidden states <c>[B,T,D]</c> for input embeddings <c>[B,T,D]</c>.
    /// <paramref name="attentionMask"/> is <c>[B,T]</c> with 1 for real tokens and 0 for padding; positions
    /// count real tokens only, so a left-padded row is rotated exactly like the same row unpadded.
    /// </summary>
    public Tensor Forward(Tensor inputsEmbeds, Tensor attentionMask) => ForwardTapped(inputsEmbeds, attentionMask, tapAfterLayers: -1).Final;

    /// <summary>
    /// <see cref="Forward"/> that also returns the residual stream <c>[B,T,D]</c> after the first
    /// <paramref name="tapAfterLayers"/> blocks (unnormalised; null when it is negative), for training-only read-outs
    /// of what the decoder has computed by then.
    /// </summary>
    public (Tensor Final, Tensor? Tapped) ForwardTapped(Tensor inputsEmbeds, Tensor attentionMask, int tapAfterLayers)
    {
        if (tapAfterLayers > layers.Count) throw new ArgumentOutOfRangeException(nameof(tapAfterLayers), $"The decoder has {layers.Count} layers.");
        using var scope = NewDisposeScope();
        var positions = PositionIds(attentionMask);
        var (cos, sin) = RotaryEmbedding.CosSin(positions, _config.HeadDim, _config.RopeTheta, inputsEmbeds.dtype);
        var mask = GroupedQueryAttention.CausalPaddingMask(attentionMask, inputsEmbeds.dtype);
        var h = inputsEmbeds;
        Tensor? tapped = tapAfterLayers == 0 ? h : null;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].Forward(h, cos, sin, mask);
            if (i + 1 == tapAfterLayers) tapped = h;
        }
        return (norm.call(h).MoveToOuterDisposeScope(), tapped?.MoveToOuterDisposeScope());
    }

    /// <summary>Position of each token among the real tokens of its row (padding gets 0; its value is never read).</summary>
    public static Tensor PositionIds(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.to(ScalarType.Int64);
        return mask.cumsum(1).sub(One).clamp_min(Zero).MoveToOuterDisposeScope();
    }
}
