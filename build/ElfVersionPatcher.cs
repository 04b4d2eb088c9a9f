// Marks one needed symbol version of an ELF shared object as weak (VER_FLG_WEAK in its Vernaux entry).
//
// Why: TorchSharp 0.107's libLibTorchSharp.so is built with GCC 13 and asks for GLIBCXX_3.4.32, which
// Debian 12 / Ubuntu 22.04 (libstdc++ 12) lack. Only one symbol carries that version
// (_ZSt21ios_base_library_initv, a bare .globl reference with no relocations), so a weak requirement lets
// the dynamic loader accept the library. See docs/torchsharp-on-debian.md.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/TorchSharp.targets), where the
// task class at the bottom wraps it, and by the test project (with ELF_PATCHER_NO_TASK defined).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace NpEdit.Build
{
    public enum ElfPatchOutcome
    {
        /// <summary>The flag was set by this call.</summary>
        Patched,
        /// <summary>The entry was already weak; nothing written.</summary>
        AlreadyWeak,
    }

    public sealed class ElfPatchException : Exception
    {
        public ElfPatchException(string message) : base(message) { }
    }

    /// <summary>A needed version (Vernaux) as read from .gnu.version_r.</summary>
    public sealed class NeededVersion
    {
        public string File = "";
        public string Name = "";
        public ushort Flags;
        public ushort Index;
        /// <summary>File offset of vna_flags.</summary>
        public long FlagsOffset;
        public bool IsWeak => (Flags & ElfVersionPatcher.VerFlagWeak) != 0;
    }

    public static class ElfVersionPatcher
    {
        public const ushort VerFlagWeak = 0x2;
        private const uint ShtDynsym = 11;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;

        /// <summary>Lists every needed version of an ELF64 little-endian file.</summary>
        public static IReadOnlyList<NeededVersion> ReadNeededVersions(string path)
        {
            var elf = Elf.Read(path);
            return elf.NeededVersions();
        }

        /// <summary>The names of the dynamic symbols bound to the needed version with this index.</summary>
        public static IReadOnlyList<string> SymbolsUsingVersion(string path, ushort versionIndex)
        {
            var elf = Elf.Read(path);
            return elf.SymbolsWithVersionIndex(versionIndex);
        }

        /// <summary>
        /// Sets VER_FLG_WEAK on the Vernaux entry <paramref name="versionName"/> needed from
        /// <paramref name="libraryName"/>. Refuses (throws) when the entry is missing or when any symbol other
        /// than <paramref name="allowedSymbols"/> is bound to that version, because weakening would then
        /// leave real references unresolved.
        /// </summary>
        public static ElfPatchOutcome MarkNeededVersionWeak(
            string path, string libraryName, string versionName, IReadOnlyCollection<string> allowedSymbols)
        {
            var elf = Elf.Read(path);
            var entry = elf.NeededVersions().FirstOrDefault(v => v.File == libraryName && v.Name == versionName);
            if (entry is null)
            {
                throw new ElfPatchException(
                    $"{path}: no needed version '{versionName}' from '{libraryName}' in .gnu.version_r; " +
                    "the library layout is not what the patch expects (was TorchSharp upgraded?).");
            }

            var users = elf.SymbolsWithVersionIndex(entry.Index);
            var unexpected = users.Where(u => !allowedSymbols.Contains(u)).ToList();
            if (unexpected.Count > 0)
            {
                throw new ElfPatchException(
                    $"{path}: version '{versionName}' is used by symbols other than the expected ones " +
                    $"({string.Join(", ", unexpected)}); making it weak could leave them unresolved, so the patch refuses.");
            }

            if (entry.IsWeak)
            {
                return ElfPatchOutcome.AlreadyWeak;
            }

            ushort newFlags = (ushort)(entry.Flags | VerFlagWeak);
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            {
                stream.Position = entry.FlagsOffset;
                stream.WriteByte((byte)(newFlags & 0xff));
                stream.WriteByte((byte)(newFlags >> 8));
            }
            return ElfPatchOutcome.Patched;
        }

        /// <summary>True when a libstdc++ found on this system defines the given version (e.g. GLIBCXX_3.4.32).</summary>
        public static bool SystemLibraryDefinesVersion(string soname, string versionName, IEnumerable<string> searchDirectories)
        {
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (var dir in searchDirectories)
            {
                var candidate = Path.Combine(dir, soname);
                if (!System.IO.File.Exists(candidate))
                {
                    continue;
                }
                byte[] bytes = System.IO.File.ReadAllBytes(candidate);
                if (IndexOf(bytes, needle) >= 0)
                {
                    return true;
                }
            }
            return false;
        }

        private static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }

        /// <summary>Just enough of an ELF64 little-endian reader to walk the version sections.</summary>
        private sealed class Elf
        {
            private readonly byte[] _data;
            private readonly string _path;
            private readonly List<Section> _sections = new List<Section>();

            private sealed class Section
            {
                public uint Type;
                public long Offset;
                public long Size;
                public uint Link;
                public uint Info;
                public long EntrySize;
            }

            private Elf(string path, byte[] data)
            {
                _path = path;
                _data = data;
            }

            public static Elf Read(string path)
            {
                if (!System.IO.File.Exists(path))
                {
                    throw new ElfPatchException($"{path}: file not found.");
                }
                var elf = new Elf(path, System.IO.File.ReadAllBytes(path));
                elf.ParseHeaders();
                return elf;
            }

            private void ParseHeaders()
            {
                if (_data.Length < 64 || _data[0] != 0x7f || _data[1] != (byte)'E' || _data[2] != (byte)'L' || _data[3] != (byte)'F')
                {
                    Fail("not an ELF file");
                }
                if (_data[4] != 2) Fail("not a 64-bit ELF (EI_CLASS != ELFCLASS64)");
                if (_data[5] != 1) Fail("not little-endian (EI_DATA != ELFDATA2LSB)");

                long shoff = (long)U64(0x28);
                int shentsize = U16(0x3a);
                int shnum = U16(0x3c);
                if (shoff == 0 || shnum == 0) Fail("no section header table");
                if (shentsize != 64) Fail($"unexpected section header size {shentsize}");
                if (shoff + (long)shnum * shentsize > _data.Length) Fail("section header table lies outside the file");

                for (int i = 0; i < shnum; i++)
                {
                    long at = shoff + (long)i * shentsize;
                    var s = new Section
                    {
                        Type = U32(at + 4),
                        Offset = (long)U64(at + 0x18),
                        Size = (long)U64(at + 0x20),
                        Link = U32(at + 0x28),
                        Info = U32(at + 0x2c),
                        EntrySize = (long)U64(at + 0x38),
                    };
                    if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > _data.Length)
                    {
                        Fail($"section {i} lies outside the file");
                    }
                    _sections.Add(s);
                }
            }

            public List<NeededVersion> NeededVersions()
            {
                var result = new List<NeededVersion>();
                var verneed = _sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
                if (verneed is null)
                {
                    return result;
                }
                var strtab = SectionAt(verneed.Link, ".gnu.version_r string table");

                long entry = verneed.Offset;
                for (uint n = 0; n < verneed.Info; n++)
                {
                    CheckInside(entry, 16, verneed, "Verneed");
                    ushort version = U16(entry);
                    if (version != 1) Fail($"unsupported Verneed version {version}");
                    int count = U16(entry + 2);
                    string file = String(strtab, U32(entry + 4));
                    long aux = entry + U32(entry + 8);
                    for (int a = 0; a < count; a++)
                    {
                        CheckInside(aux, 16, verneed, "Vernaux");
                        result.Add(new NeededVersion
                        {
                            File = file,
                            Flags = U16(aux + 4),
                            Index = U16(aux + 6),
                            Name = String(strtab, U32(aux + 8)),
                            FlagsOffset = aux + 4,
                        });
                        uint nextAux = U32(aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(entry + 12);
                    if (next == 0) break;
                    entry += next;
                }
                return result;
            }

            public List<string> SymbolsWithVersionIndex(ushort index)
            {
                var versym = _sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
                var dynsym = _sections.FirstOrDefault(s => s.Type == ShtDynsym);
                if (versym is null || dynsym is null)
                {
                    Fail("missing .gnu.version or .dynsym");
                }
                var strtab = SectionAt(dynsym!.Link, ".dynsym string table");
                long count = dynsym.Size / 24;
                if (versym!.Size / 2 != count) Fail(".gnu.version and .dynsym disagree on the symbol count");
                var names = new List<string>();
                for (long i = 0; i < count; i++)
                {
                    // Bit 15 of a versym entry marks a hidden symbol; the index is the low 15 bits.
                    if ((U16(versym.Offset + i * 2) & 0x7fff) == index)
                    {
                        names.Add(String(strtab, U32(dynsym.Offset + i * 24)));
                    }
                }
                return names;
            }

            private Section SectionAt(uint index, string what)
            {
                if (index >= _sections.Count) Fail($"{what} index {index} is out of range");
                return _sections[(int)index];
            }

            private void CheckInside(long at, long length, Section section, string what)
            {
                if (at < section.Offset || at + length > section.Offset + section.Size)
                {
                    Fail($"{what} entry at offset {at} lies outside its section");
                }
            }

            private string String(Section strtab, uint offset)
            {
                long start = strtab.Offset + offset;
                if (offset >= strtab.Size) Fail($"string offset {offset} lies outside the string table");
                long end = start;
                long limit = strtab.Offset + strtab.Size;
                while (end < limit && _data[end] != 0) end++;
                return Encoding.ASCII.GetString(_data, (int)start, (int)(end - start));
            }

            private ushort U16(long at) { Need(at, 2); return (ushort)(_data[at] | (_data[at + 1] << 8)); }
            private uint U32(long at) { Need(at, 4); return BitConverter.ToUInt32(_data, (int)at); }
            private ulong U64(long at) { Need(at, 8); return BitConverter.ToUInt64(_data, (int)at); }

            private void Need(long at, int length)
            {
                if (at < 0 || at + length > _data.Length) Fail($"read of {length} bytes at {at} is past the end of the file");
            }

            private void Fail(string why) => throw new ElfPatchException($"{_path}: {why}.");
        }
    }

#if !ELF_PATCHER_NO_TASK
    /// <summary>MSBuild task: weakens GLIBCXX_3.4.32 in the output copies of libLibTorchSharp.so when needed.</summary>
    public sealed class WeakenTorchSharpGlibcxx : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public string[] Files { get; set; } = Array.Empty<string>();

        public string Version { get; set; } = "GLIBCXX_3.4.32";
        public string Library { get; set; } = "libstdc++.so.6";
        public string AllowedSymbols { get; set; } = "_ZSt21ios_base_library_initv";
        public bool Force { get; set; }

        public override bool Execute()
        {
            var dirs = new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" };
            if (!Force && ElfVersionPatcher.SystemLibraryDefinesVersion(Library, Version, dirs))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    $"System {Library} defines {Version}; libLibTorchSharp.so left as shipped.");
                return true;
            }
            var allowed = AllowedSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries);
            foreach (var file in Files)
            {
                try
                {
                    var outcome = ElfVersionPatcher.MarkNeededVersionWeak(file, Library, Version, allowed);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                        $"{file}: {Version} requirement {(outcome == ElfPatchOutcome.Patched ? "marked weak" : "already weak")}.");
                }
                catch (ElfPatchException ex)
                {
                    Log.LogError($"TorchSharp native fix failed: {ex.Message} See docs/torchsharp-on-debian.md.");
                    return false;
                }
            }
            return true;
        }
    }
#endif
}
