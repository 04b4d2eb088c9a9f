using System.Diagnostics;
using NpEdit.Build;

namespace NpEdit.Transforms.Tests.Build;

/// <summary>
/// Builds a tiny executable that needs version VERS_2 of a library through an unreferenced symbol (the same
/// shape as GCC 13's ios_base_library_init reference), then runs it against a library that only has VERS_1.
/// </summary>
public sealed class ElfVersionPatcherTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("npedit-elf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Weakened_requirement_lets_the_program_run_against_an_older_library()
    {
        var (exe, oldLibDir) = BuildFixture();

        var before = Run(exe, oldLibDir);
        before.ExitCode.Should().NotBe(0);
        before.Output.Should().Contain("VERS_2");

        var outcome = ElfVersionPatcher.MarkNeededVersionWeak(exe, "libdemo.so", "VERS_2", new[] { "demo_new" });
        outcome.Should().Be(ElfPatchOutcome.Patched);

        var after = Run(exe, oldLibDir);
        after.Output.Should().Contain("demo_old=41");
        after.ExitCode.Should().Be(0);
    }

    [Fact]
    public void Patch_sets_only_the_weak_flag_and_is_idempotent()
    {
        var (exe, _) = BuildFixture();
        var original = File.ReadAllBytes(exe);
        var entry = ElfVersionPatcher.ReadNeededVersions(exe).Single(v => v.Name == "VERS_2");
        entry.IsWeak.Should().BeFalse();
        entry.File.Should().Be("libdemo.so");

        ElfVersionPatcher.MarkNeededVersionWeak(exe, "libdemo.so", "VERS_2", new[] { "demo_new" }).Should().Be(ElfPatchOutcome.Patched);
        var patched = File.ReadAllBytes(exe);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        changed.Should().Equal(new[] { (int)entry.FlagsOffset });
        (patched[entry.FlagsOffset] & ElfVersionPatcher.VerFlagWeak).Should().Be(ElfVersionPatcher.VerFlagWeak);

        ElfVersionPatcher.MarkNeededVersionWeak(exe, "libdemo.so", "VERS_2", new[] { "demo_new" }).Should().Be(ElfPatchOutcome.AlreadyWeak);
        File.ReadAllBytes(exe).Should().Equal(patched);
    }

    [Fact]
    public void Refuses_when_other_symbols_use_the_version()
    {
        var (exe, _) = BuildFixture();
        var act = () => ElfVersionPatcher.MarkNeededVersionWeak(exe, "libdemo.so", "VERS_2", new[] { "something_else" });
        act.Should().Throw<ElfPatchException>().WithMessage("*demo_new*refuses*");
    }

    [Fact]
    public void Refuses_when_the_entry_is_missing()
    {
        var (exe, _) = BuildFixture();
        var act = () => ElfVersionPatcher.MarkNeededVersionWeak(exe, "libstdc++.so.6", "GLIBCXX_3.4.32", new[] { "x" });
        act.Should().Throw<ElfPatchException>().WithMessage("*no needed version 'GLIBCXX_3.4.32'*");
    }

    [Fact]
    public void Refuses_files_that_are_not_elf64()
    {
        var path = Path.Combine(_dir, "not-elf.so");
        File.WriteAllBytes(path, new byte[100]);
        var act = () => ElfVersionPatcher.ReadNeededVersions(path);
        act.Should().Throw<ElfPatchException>().WithMessage("*not an ELF file*");

        var truncated = Path.Combine(_dir, "truncated.so");
        var (exe, _) = BuildFixture();
        File.WriteAllBytes(truncated, File.ReadAllBytes(exe)[..200]);
        var act2 = () => ElfVersionPatcher.ReadNeededVersions(truncated);
        act2.Should().Throw<ElfPatchException>().WithMessage("*outside the file*");
    }

    [Fact]
    public void The_shipped_TorchSharp_library_in_the_test_output_has_the_entry_marked_weak_or_needs_no_patch()
    {
        var so = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        File.Exists(so).Should().BeTrue();
        var entry = ElfVersionPatcher.ReadNeededVersions(so).Single(v => v.Name == "GLIBCXX_3.4.32");
        ElfVersionPatcher.SymbolsUsingVersion(so, entry.Index).Should().Equal("_ZSt21ios_base_library_initv");
        bool systemHasIt = ElfVersionPatcher.SystemLibraryDefinesVersion("libstdc++.so.6", "GLIBCXX_3.4.32",
            new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" });
        if (!systemHasIt)
        {
            entry.IsWeak.Should().BeTrue("the build must mark the requirement weak when the system lacks it");
        }
    }

    private (string Exe, string OldLibDir) BuildFixture()
    {
        string newDir = Path.Combine(_dir, "new"), oldDir = Path.Combine(_dir, "old");
        Directory.CreateDirectory(newDir);
        Directory.CreateDirectory(oldDir);
        File.WriteAllText(Path.Combine(_dir, "lib.c"), "int demo_old(void){return 41;}\n#ifdef NEW\nint demo_new(void){return 42;}\n#endif\n");
        File.WriteAllText(Path.Combine(_dir, "new.map"), "VERS_1 { global: demo_old; local: *; };\nVERS_2 { global: demo_new; } VERS_1;\n");
        File.WriteAllText(Path.Combine(_dir, "old.map"), "VERS_1 { global: demo_old; local: *; };\n");
        // A bare .globl reference and no call: the linker records the version need but emits no relocation.
        File.WriteAllText(Path.Combine(_dir, "main.c"),
            "#include <stdio.h>\nint demo_old(void);\n__asm__(\".globl demo_new\");\nint main(void){printf(\"demo_old=%d\\n\", demo_old());return 0;}\n");
        Gcc($"-shared -fPIC -DNEW -Wl,--version-script={_dir}/new.map -Wl,-soname,libdemo.so -o {newDir}/libdemo.so {_dir}/lib.c");
        Gcc($"-shared -fPIC -Wl,--version-script={_dir}/old.map -Wl,-soname,libdemo.so -o {oldDir}/libdemo.so {_dir}/lib.c");
        string exe = Path.Combine(_dir, "demo");
        Gcc($"-o {exe} {_dir}/main.c -L{newDir} -ldemo");
        return (exe, oldDir);
    }

    private static void Gcc(string args)
    {
        var result = Exec("gcc", args, null);
        result.ExitCode.Should().Be(0, $"gcc {args} failed: {result.Output}");
    }

    private static (int ExitCode, string Output) Run(string exe, string libDir) => Exec(exe, "", libDir);

    private static (int ExitCode, string Output) Exec(string file, string args, string? libDir)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (libDir is not null) psi.Environment["LD_LIBRARY_PATH"] = libDir;
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }
}
