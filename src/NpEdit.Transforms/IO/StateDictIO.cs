using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.IO;

/// <summary>
/// Moves a module's state_dict to and from safetensors with strict checking: every key the module has must be
/// in the file with the same shape, and the file may hold nothing else. Any mismatch is an error that names the
/// tensor, raised before a single weight is overwritten.
/// </summary>
public static class StateDictIO
{
    public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var state = module.state_dict();
        SafeTensors.Save(path, state, metadata);
    }

    /// <summary>Loads <paramref name="path"/> into <paramref name="module"/>; dtypes are converted to the module's.</summary>
    public static void LoadStrict(nn.Module module, string path)
    {
        var tensors = SafeTensors.Load(path);
        try
        {
            LoadStrict(module, tensors, path);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> tensors, string source)
    {
        var target = module.state_dict();
        var problems = new List<string>();
        foreach (var key in target.Keys.Where(k => !tensors.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal))
        {
            problems.Add($"missing tensor '{key}' (expected shape {Shape(target[key].shape)})");
        }
        foreach (var key in tensors.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal))
        {
            problems.Add($"unexpected tensor '{key}' (shape {Shape(tensors[key].shape)}) that the model does not have");
        }
        foreach (var (key, value) in target)
        {
            if (tensors.TryGetValue(key, out var loaded) && !loaded.shape.SequenceEqual(value.shape))
            {
                problems.Add($"tensor '{key}' has shape {Shape(loaded.shape)} in the file but {Shape(value.shape)} in the model");
            }
        }
        if (problems.Count > 0)
        {
            const int shown = 20;
            var text = string.Join("; ", problems.Take(shown)) + (problems.Count > shown ? $"; and {problems.Count - shown} more" : "");
            throw new WeightsFormatException($"{source}: weights do not fit the model: {text}.");
        }

        using var noGrad = torch.no_grad();
        foreach (var (key, value) in target)
        {
            value.copy_(tensors[key]);
        }
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
