using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Models;

/// <summary>
/// A text-conditioned flow model: tokenizer, text encoder and flow transformer, plus the image codec. The unit that
/// is pretrained as a text-to-image prior and copied into NP-Edit's student, teacher and fake-score models.
/// </summary>
public sealed class FlowModel : nn.Module
{
#pragma warning disable IDE1006 // state_dict keys follow the field names
    private readonly TextEncoder text_encoder;
    private readonly FlowDiT transformer;
#pragma warning restore IDE1006

    public FlowModel(FlowModelConfig config) : base(nameof(FlowModel))
    {
        config.Validate();
        Config = config;
        Tokenizer = new TextTokenizer(config.Vocabulary, config.Text.MaxLength);
        Codec = new PixelCodec(config.CodecScale);
        text_encoder = new TextEncoder(config.Text);
        transformer = new FlowDiT(config.Transformer);
        RegisterComponents();
    }

    public FlowModelConfig Config { get; }
    public TextTokenizer Tokenizer { get; }
    public IImageCodec Codec { get; }
    public TextEncoder TextEncoder => text_encoder;
    public FlowDiT Transformer => transformer;

    /// <summary>The device the parameters live on.</summary>
    public Device Device => parameters().First().device;

    /// <summary>Tokenizes and encodes prompts: features [B, L, TextHidden] and mask [B, L].</summary>
    public EncodedText EncodeText(IReadOnlyList<string> prompts)
    {
        using var scope = NewDisposeScope();
        var (ids, mask) = Tokenizer.EncodeBatch(prompts);
        var device = Device;
        ids = ids.to(device);
        mask = mask.to(device);
        var features = text_encoder.Forward(ids, mask);
        return new EncodedText(features.MoveToOuterDisposeScope(), mask.MoveToOuterDisposeScope());
    }

    /// <summary>Velocity for latents at time t given encoded text and an optional clean reference latent.</summary>
    public Tensor Velocity(Tensor noisy, Tensor t, EncodedText text, Tensor? reference = null) =>
        transformer.Forward(noisy, t, text.Features, text.Mask, reference);

    /// <summary>The velocity, and the target tokens' hidden states after the first <paramref name="blocksRun"/>
    /// transformer blocks (<see cref="FlowDiT.ForwardWithHidden"/>).</summary>
    public (Tensor Velocity, Tensor Hidden) VelocityAndHidden(Tensor noisy, Tensor t, EncodedText text, int blocksRun, Tensor? reference = null) =>
        transformer.ForwardWithHidden(noisy, t, text.Features, text.Mask, blocksRun, reference);

    /// <summary>A deep copy with the same config and weights (used for teacher and fake score).</summary>
    public FlowModel Clone()
    {
        var copy = new FlowModel(Config);
        var source = state_dict();
        using (no_grad())
        {
            foreach (var (key, value) in copy.state_dict()) value.copy_(source[key]);
        }
        return copy.to(Device);
    }

    /// <summary>Freezes every parameter (frozen models still pass gradients to their inputs).</summary>
    public FlowModel Freeze()
    {
        foreach (var p in parameters()) p.requires_grad = false;
        eval();
        return this;
    }
}

/// <summary>Encoded prompts: per-token features and the mask of real tokens. Disposes both.</summary>
public sealed class EncodedText : IDisposable
{
    public EncodedText(Tensor features, Tensor mask)
    {
        Features = features;
        Mask = mask;
    }

    public Tensor Features { get; }
    public Tensor Mask { get; }
    public long Count => Features.shape[0];

    /// <summary>Rows picked by index (e.g. to pair conditional and unconditional halves).</summary>
    public EncodedText Concat(EncodedText other) =>
        new(torch.cat(new[] { Features, other.Features }, 0), torch.cat(new[] { Mask, other.Mask }, 0));

    public void Dispose()
    {
        Features.Dispose();
        Mask.Dispose();
    }
}
