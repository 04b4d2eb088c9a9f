using System.Text;
using NpEdit.Trainers.Vlm;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class CaptionVerificationTests
{
    [Fact]
    public void Settings_saved_in_a_folder_read_back_equal_and_a_folder_without_them_has_none()
    {
        string folder = Directory.CreateTempSubdirectory("npedit-verification-").FullName;
        try
        {
            CaptionVerification.Read(folder).Should().BeNull();
            var settings = new CaptionVerification(ShapesWriter.PhraseGrammarName, Accept: 0.95, Reject: 0.3);
            settings.Write(folder);
            CaptionVerification.Read(folder).Should().Be(settings);
            settings.CreateVerifier().Should().Match<ObjectPhraseVerifier>(v => v.Accept == 0.95 && v.Reject == 0.3 && v.Grammar == ShapesWriter.PhraseGrammar);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"grammar\": \"klingon\"}", "*writer/verification.json*klingon*")]
    [InlineData("{\"grammar\": \"shapes-world\", \"accept\": 0.2, \"reject\": 0.5}", "*writer/verification.json*")]
    [InlineData("{\"grammar\": ", "*writer/verification.json*not valid*")]
    [InlineData("{}", "*writer/verification.json*no grammar*")]
    public void Bad_settings_are_refused_with_the_file_named(string json, string message)
    {
        var parse = () => CaptionVerification.Parse(Encoding.UTF8.GetBytes(json), "writer/verification.json");
        parse.Should().Throw<InvalidDataException>().WithMessage(message);
    }

    [Fact]
    public void The_shipped_writer_folder_checks_its_captions()
    {
        CaptionVerification.Read(ShapesWriter.ResolveFolder()).Should().Be(CaptionVerification.ShapesWorld);
    }
}
