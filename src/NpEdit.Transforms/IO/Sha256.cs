using System.Security.Cryptography;

namespace NpEdit.Transforms.IO;

/// <summary>Lower-case hex SHA-256 of files and byte arrays, for manifests.</summary>
public static class Sha256
{
    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public static string Of(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
