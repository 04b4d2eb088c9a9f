using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>The stack of encoder blocks (<c>encoder.layers.N</c>).</summary>
public sealed class SiglipEncoder : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly ModuleList<SiglipEncoderLayer> layers;
#pragma warning restore IDE1006

    public SiglipEncoder(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipEncoder))
    {
        layers = new ModuleList<SiglipEncoderLayer>();
        for (int i = 0; i < config.NumHiddenLayers; i++) layers.Add(new SiglipEncoderLayer(config, device, dtype));
        RegisterComponents();
    }

    public int LayerCount => layers.Count;

    /// <summary>Runs the first <paramref name="count"/> layers; the result is <c>hidden_states[count]</c> in HF terms.</summary>
    public Tensor Forward(Tensor x, int count)
    {
        using var scope = NewDisposeScope();
        var h = x;
        for (int i = 0; i < count; i++) h = layers[i].call(h);
        return h.alias().MoveToOuterDisposeScope();
    }
}
