using NpEdit.Transforms.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// Single-stream flow transformer over one token sequence <c>[text | reference image (optional) | noisy target]</c>.
/// Predicts the flow velocity <c>v = ε − x0</c> for the target tokens only (directly, or through a clean-image prediction:
/// <see cref="FlowDiTConfig.Prediction"/>). Reference tokens are modulated as clean
/// (t = 0) and share spatial rotary positions with the target, differing in frame. With no reference it is a plain
/// text-to-image model, so one set of weights serves as prior, teacher, fake score and editor.
/// </summary>
public sealed class FlowDiT : nn.Module
{
#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly Linear x_embedder;
    private readonly Parameter pos_embed;
    private readonly LayerNorm context_norm;
    private readonly Linear context_embedder;
    private readonly Linear pooled_text_embedder;
    private readonly TimestepEmbedding t_embedder;
    private readonly ModuleList<FlowDiTBlock> blocks;
    private readonly LayerNorm norm_out;
    private readonly Linear norm_out_modulation;
    private readonly Linear proj_out;
#pragma warning restore IDE1006

    public FlowDiT(FlowDiTConfig config) : base(nameof(FlowDiT))
    {
        config.Validate();
        Config = config;
        x_embedder = nn.Linear(config.PatchDim, config.Hidden);
        // Learned absolute positions for image tokens, shared by reference and target (they share spatial
        // positions). Rotary embeddings alone only give relative offsets; placing an object "in the top left" from
        // pure noise is much easier when a token knows where it is. They start from DiT's sine-cosine table, whose
        // unit amplitude matches the noise a token holds at high t (small random values would start far below it);
        // at 800 steps this measured no different from N(0, 0.02) (docs/models.md, pilots B and C).
        pos_embed = nn.Parameter(SinCosPositions.Table(config.GridSize, config.Hidden));
        context_norm = nn.LayerNorm(config.TextHidden, eps: 1e-6);
        context_embedder = nn.Linear(config.TextHidden, config.Hidden);
        pooled_text_embedder = nn.Linear(config.TextHidden, config.Hidden);
        t_embedder = new TimestepEmbedding(config.Hidden);
        blocks = nn.ModuleList(Enumerable.Range(0, config.Depth).Select(_ => new FlowDiTBlock(config)).ToArray());
        norm_out = nn.LayerNorm(config.Hidden, eps: 1e-6, elementwise_affine: false);
        norm_out_modulation = nn.Linear(config.Hidden, 2 * config.Hidden);
        proj_out = nn.Linear(config.Hidden, config.PatchDim);
        using (no_grad())
        {
            // Zero output layers: a fresh model predicts v = 0 (or x0 = 0) and each block starts as the identity (adaLN-zero).
            norm_out_modulation.weight!.zero_();
            norm_out_modulation.bias!.zero_();
            proj_out.weight!.zero_();
            proj_out.bias!.zero_();
        }
        RegisterComponents();
    }

    public FlowDiTConfig Config { get; }

    /// <summary>Predicts the velocity for the target.</summary>
    /// <param name="noisy">[B, C, S, S] target latent at time t.</param>
    /// <param name="t">[B] flow times in [0, 1] (1 = pure noise).</param>
    /// <param name="text">[B, L, TextHidden] text features.</param>
    /// <param name="textMask">[B, L] boolean, true for real tokens.</param>
    /// <param name="reference">[B, C, S, S] clean reference latent, or null for text-to-image.</param>
    public Tensor Forward(Tensor noisy, Tensor t, Tensor text, Tensor textMask, Tensor? reference = null) =>
        Forward(noisy, t, text, textMask, reference, hideReferenceFromAttention: false);

    /// <summary>
    /// The velocity, and the target tokens' hidden states [B, tokens per image, Hidden] after the first
    /// <paramref name="blocksRun"/> blocks: what an auxiliary loss on the transformer's representation reads.
    /// </summary>
    public (Tensor Velocity, Tensor Hidden) ForwardWithHidden(Tensor noisy, Tensor t, Tensor text, Tensor textMask, int blocksRun, Tensor? reference = null)
    {
        if (blocksRun < 1 || blocksRun > Config.Depth)
            throw new ArgumentOutOfRangeException(nameof(blocksRun), blocksRun, $"The hidden states are read after 1 to {Config.Depth} blocks.");
        var velocity = Forward(noisy, t, text, textMask, reference, hideReferenceFromAttention: false, blocksRun, out var hidden);
        return (velocity, hidden!);
    }

    /// <param name="hideReferenceFromAttention">Test hook: masks the reference tokens out as attention keys, which
    /// must make the output equal to the no-reference output (the reference acts only through attention).</param>
    internal Tensor Forward(Tensor noisy, Tensor t, Tensor text, Tensor textMask, Tensor? reference, bool hideReferenceFromAttention) =>
        Forward(noisy, t, text, textMask, reference, hideReferenceFromAttention, 0, out _);

    private Tensor Forward(Tensor noisy, Tensor t, Tensor text, Tensor textMask, Tensor? reference, bool hideReferenceFromAttention, int tapAfter, out Tensor? tapped)
    {
        tapped = null;
        using var scope = NewDisposeScope();
        var sequence = BuildSequence(noisy, t, text, textMask, reference);
        var x = sequence.Tokens;
        var attentionMask = sequence.AttentionMask;
        if (hideReferenceFromAttention && reference is not null)
        {
            attentionMask = attentionMask.clone();
            attentionMask.narrow(3, text.shape[1], Config.TokensPerImage).FillInPlace(false);
        }
        int perImage = Config.TokensPerImage;
        int run = 0;
        foreach (var block in blocks)
        {
            x = block.Forward(x, sequence.Conditioning, sequence.KindOfToken, sequence.Rope, attentionMask);
            if (++run == tapAfter) tapped = x.narrow(1, x.shape[1] - perImage, perImage).MoveToOuterDisposeScope();
        }

        var target = x.narrow(1, x.shape[1] - perImage, perImage);
        var finalMod = norm_out_modulation.call(nn.functional.silu(sequence.TargetConditioning)).unsqueeze(1).chunk(2, dim: -1);
        var h = norm_out.call(target).mul(finalMod[1].Add(1)).Add(finalMod[0]);
        var output = Patchify.FromTokens(proj_out.call(h), Config.PatchSize, Config.Channels, Config.GridSize);
        var v = Config.Prediction == FlowPrediction.Clean ? VelocityFromClean(noisy, output, t) : output;
        return v.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Below this time a clean prediction is divided by it instead of t: the velocity of a nearly clean latent would
    /// otherwise amplify the prediction's error without bound (JiT clips at the same 0.05).
    /// </summary>
    public const double CleanPredictionMinTime = 0.05;

    /// <summary><c>v = (x_t − x0) / max(t, t_min)</c>: with x_t = (1 − t)·x0 + t·ε this is exactly ε − x0 for t ≥ t_min.</summary>
    internal static Tensor VelocityFromClean(Tensor noisy, Tensor clean, Tensor t) =>
        noisy.sub(clean).div(t.ClampMin(CleanPredictionMinTime).view(-1, 1, 1, 1));

    /// <summary>The embedded token sequence and everything the blocks need to process it.</summary>
    internal sealed record Sequence(Tensor Tokens, Tensor Conditioning, Tensor? KindOfToken, (Tensor Cos, Tensor SignedSin) Rope, Tensor AttentionMask, Tensor TargetConditioning);

    /// <summary>
    /// Embeds <c>[text | reference | target]</c>. Conditioning rows: index 0 is t (text and target tokens), index 1 is
    /// t = 0 (reference tokens, which are clean); both add the pooled text features.
    /// </summary>
    internal Sequence BuildSequence(Tensor noisy, Tensor t, Tensor text, Tensor textMask, Tensor? reference)
    {
        long b = noisy.shape[0];
        long textLength = text.shape[1];
        int perImage = Config.TokensPerImage;

        var maskF = textMask.to(ScalarType.Float32).unsqueeze(-1);
        var pooled = text.mul(maskF).sum(1).div(maskF.sum(1).ClampMin(1.0));
        var textCond = pooled_text_embedder.call(pooled);
        var cT = t_embedder.call(t).Add(textCond);

        var parts = new List<Tensor> { context_embedder.call(context_norm.call(text)) };
        Tensor conditioning;
        Tensor? kindOfToken = null;
        if (reference is not null)
        {
            parts.Add(x_embedder.call(Patchify.ToTokens(reference, Config.PatchSize)).Add(pos_embed));
            var c0 = t_embedder.call(torch.zeros_like(t)).Add(textCond);
            conditioning = torch.stack(new[] { cT, c0 }, dim: 1);
            var kinds = torch.zeros(textLength + 2L * perImage, dtype: ScalarType.Int64, device: noisy.device);
            kinds.narrow(0, textLength, perImage).FillInPlace(1);
            kindOfToken = kinds;
        }
        else
        {
            conditioning = cT.unsqueeze(1);
        }
        parts.Add(x_embedder.call(Patchify.ToTokens(noisy, Config.PatchSize)).Add(pos_embed));
        var x = torch.cat(parts.ToArray(), dim: 1);

        var rope = AxialRope.Interleaved(AxialRope.Tables(Positions(textLength, reference is not null, noisy.device), Config.RopeAxes));
        var imageMask = torch.ones(b, x.shape[1] - textLength, dtype: ScalarType.Bool, device: noisy.device);
        var attentionMask = torch.cat(new[] { textMask.to(ScalarType.Bool), imageMask }, dim: 1).view(b, 1, 1, -1);
        return new Sequence(x, conditioning, kindOfToken, rope, attentionMask, cT);
    }

    /// <summary>
    /// (frame, row, column) per token: text token i sits at frame i; the reference image at frame L and the target at
    /// frame L + 1, both over the same patch grid. The target's positions do not depend on whether a reference is present.
    /// </summary>
    internal Tensor Positions(long textLength, bool withReference, Device device)
    {
        int grid = Config.GridSize;
        var rows = new List<long[]>();
        for (long i = 0; i < textLength; i++) rows.Add(new[] { i, 0L, 0L });
        void AddImage(long frame)
        {
            for (int r = 0; r < grid; r++)
                for (int c = 0; c < grid; c++)
                    rows.Add(new[] { frame, r, (long)c });
        }
        if (withReference) AddImage(textLength);
        AddImage(textLength + 1);
        var flat = rows.SelectMany(r => r).ToArray();
        return torch.tensor(flat, dtype: ScalarType.Int64, device: device).view(rows.Count, 3);
    }
}
