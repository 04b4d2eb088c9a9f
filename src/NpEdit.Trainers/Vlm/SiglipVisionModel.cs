using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Vlm;

/// <summary>The <c>vision_tower</c>: a thin wrapper whose only child is <c>vision_model</c>, as in HF's SiglipVisionModel.</summary>
public sealed class SiglipVisionModel : nn.Module
{
#pragma warning disable IDE1006 // field names are state_dict keys
    private readonly SiglipVisionTransformer vision_model;
#pragma warning restore IDE1006

    public SiglipVisionModel(VisionTowerConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(SiglipVisionModel))
    {
        vision_model = new SiglipVisionTransformer(config, device, dtype);
        RegisterComponents();
    }

    public SiglipVisionTransformer VisionModel => vision_model;
}
