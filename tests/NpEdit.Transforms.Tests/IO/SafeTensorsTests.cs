using System.Buffers.Binary;
using System.Text;
using NpEdit.Transforms.IO;
using NpEdit.Transforms.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Transforms.Tests.IO;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-st-").FullName;

    public SafeTensorsTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Round_trip_is_bit_exact(ScalarType dtype)
    {
        torch.manual_seed(3);
        using var source = dtype switch
        {
            ScalarType.Int64 or ScalarType.Int32 => torch.randint(-1_000_000, 1_000_000, new long[] { 3, 5, 7 }, dtype: dtype),
            ScalarType.Byte => torch.randint(0, 255, new long[] { 3, 5, 7 }, dtype: dtype),
            ScalarType.Bool => torch.rand(3, 5, 7).Gt(0.5),
            _ => torch.randn(3, 5, 7, dtype: ScalarType.Float32).Mul(100).to(dtype),
        };
        var path = PathOf("x.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["a.b"] = source });
        var loaded = SafeTensors.Load(path);
        using var result = loaded["a.b"];
        result.dtype.Should().Be(dtype);
        result.shape.Should().Equal(3, 5, 7);
        result.bytes.ToArray().Should().Equal(source.contiguous().bytes.ToArray());
    }

    [Fact]
    public void File_layout_follows_the_format()
    {
        var path = PathOf("layout.safetensors");
        using var b = TensorMath.Arange(0, 6, dtype: ScalarType.Float32).view(2, 3);
        using var a = torch.tensor(new long[] { 7 });
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["b"] = b, ["a"] = a }, new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        (n % 8).Should().Be(0);
        var json = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        json.Should().StartWith("{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}");
        bytes.Length.Should().Be(8 + (int)n + 32);
        var header = SafeTensors.ReadHeader(path);
        header.Metadata["format"].Should().Be("pt");
        header["b"].Shape.Should().Equal(2, 3);
    }

    [Fact]
    public void Strict_loading_fills_a_module_exactly()
    {
        torch.manual_seed(1);
        using var source = nn.Sequential(("fc", nn.Linear(3, 4)), ("norm", nn.LayerNorm(4)));
        using var target = nn.Sequential(("fc", nn.Linear(3, 4)), ("norm", nn.LayerNorm(4)));
        var path = PathOf("m.safetensors");
        StateDictIO.Save(source, path);
        StateDictIO.LoadStrict(target, path);
        foreach (var (key, value) in source.state_dict())
        {
            target.state_dict()[key].bytes.ToArray().Should().Equal(value.bytes.ToArray(), key);
        }
    }

    [Fact]
    public void Strict_loading_names_a_missing_tensor()
    {
        var path = PathOf("missing.safetensors");
        using var w = torch.zeros(4, 3);
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["fc.weight"] = w });
        using var module = nn.Sequential(("fc", nn.Linear(3, 4)));
        var act = () => StateDictIO.LoadStrict(module, path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*missing tensor 'fc.bias'*");
    }

    [Fact]
    public void Strict_loading_names_an_extra_tensor()
    {
        var path = PathOf("extra.safetensors");
        using var module = nn.Sequential(("fc", nn.Linear(3, 4)));
        var state = new Dictionary<string, Tensor>(module.state_dict()) { ["fc.scale"] = torch.ones(1) };
        SafeTensors.Save(path, state);
        var act = () => StateDictIO.LoadStrict(module, path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*unexpected tensor 'fc.scale'*");
    }

    [Fact]
    public void Strict_loading_names_a_misshaped_tensor_and_changes_nothing()
    {
        var path = PathOf("shape.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["fc.weight"] = torch.ones(4, 2), ["fc.bias"] = torch.ones(4) });
        using var module = nn.Sequential(("fc", nn.Linear(3, 4)));
        var before = module.state_dict()["fc.bias"].clone();
        var act = () => StateDictIO.LoadStrict(module, path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*'fc.weight' has shape [4, 2] in the file but [4, 3] in the model*");
        module.state_dict()["fc.bias"].allclose(before).Should().BeTrue("nothing is written when validation fails");
    }

    [Fact]
    public void Refuses_a_bad_header_length()
    {
        var path = PathOf("badlen.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1_000_000);
        File.WriteAllBytes(path, bytes);
        var act = () => SafeTensors.Load(path);
        act.Should().Throw<WeightsFormatException>().WithMessage($"*{path}*header length 1000000 runs past the end*");

        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        File.WriteAllBytes(path, bytes);
        act.Should().Throw<WeightsFormatException>().WithMessage("*bad header length*");

        File.WriteAllBytes(path, new byte[3]);
        act.Should().Throw<WeightsFormatException>().WithMessage("*8-byte header length is missing*");
    }

    [Fact]
    public void Refuses_bad_json()
    {
        var path = WriteRaw("badjson.safetensors", "{\"a\": {\"dtype\": \"F32\", ", Array.Empty<byte>());
        var act = () => SafeTensors.Load(path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*not valid UTF-8 JSON*");
    }

    [Fact]
    public void Refuses_offsets_outside_the_file()
    {
        var path = WriteRaw("offsets.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        var act = () => SafeTensors.Load(path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*tensor 'a'*outside the data section*");
    }

    [Fact]
    public void Refuses_a_dtype_that_does_not_match_the_byte_count()
    {
        var path = WriteRaw("dtype.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", new byte[8]);
        var act = () => SafeTensors.Load(path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*tensor 'a': 8 data bytes do not match dtype F32 with shape [4] (16 bytes)*");

        var unknown = WriteRaw("unknown.safetensors", "{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]);
        var act2 = () => SafeTensors.Load(unknown);
        act2.Should().Throw<WeightsFormatException>().WithMessage("*unsupported dtype 'F8_E4M3'*");
    }

    [Fact]
    public void Refuses_truncated_data()
    {
        var path = PathOf("full.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = torch.ones(64) });
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^10]);
        var act = () => SafeTensors.Load(path);
        act.Should().Throw<WeightsFormatException>().WithMessage("*tensor 'w'*outside the data section*truncated*");
    }

    [Fact]
    public void Refuses_overlapping_and_duplicate_tensors()
    {
        var overlap = WriteRaw("overlap.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        var act = () => SafeTensors.Load(overlap);
        act.Should().Throw<WeightsFormatException>().WithMessage("*overlap*");

        var duplicate = WriteRaw("dup.safetensors",
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        var act2 = () => SafeTensors.Load(duplicate);
        act2.Should().Throw<WeightsFormatException>().WithMessage("*'a' appears twice*");
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var act = () => SafeTensors.Load(PathOf("nope.safetensors"));
        act.Should().Throw<FileNotFoundException>().WithMessage("*nope.safetensors*");
    }

    private string WriteRaw(string name, string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        var path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
