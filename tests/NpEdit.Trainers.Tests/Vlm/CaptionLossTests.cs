using NpEdit.Trainers.Vlm;
using TorchSharp;
using static TorchSharp.torch;

namespace NpEdit.Trainers.Tests.Vlm;

public sealed class CaptionLossTests
{
    [Fact]
    public void Targets_are_the_caption_tokens_and_im_end_predicted_from_the_position_before_each()
    {
        using var model = TestVlms.ModelForTokenizer();
        var tokenizer = TestVlms.Tokenizer;
        using var scope = NewDisposeScope();
        var images = torch.stack(new[] { TestVlms.RandomImage(1), TestVlms.RandomImage(2) });
        var captions = new[] { "a red circle", "a blue square on a gray background" };
        var batched = CaptionLoss.Compute(model, tokenizer, images, captions).item<float>();

        // By hand, one unpadded row at a time: sum of -log p(target) over the answer tokens, averaged over all of them.
        double total = 0;
        int count = 0;
        for (int row = 0; row < 2; row++)
        {
            var prompt = tokenizer.EncodeQuestion(1, CaptionLoss.Prompt, model.Config.TokensPerImage);
            var answer = tokenizer.Encode(captions[row]).Append(tokenizer.SingleTokenId(ChatTemplate.ImEnd)).ToArray();
            var ids = torch.tensor(prompt.Concat(answer).Select(i => (long)i).ToArray()).view(1, -1);
            var features = model.ImageFeatures(VlmImageProcessor.Preprocess(images[row].unsqueeze(0), model.Config));
            var logProbs = nn.functional.log_softmax(model.Logits(model.Forward(ids, torch.ones_like(ids), features))[0], 1);
            for (int j = 0; j < answer.Length; j++)
            {
                total -= logProbs[prompt.Length - 1 + j, answer[j]].item<float>();
                count++;
            }
        }
        batched.Should().BeApproximately((float)(total / count), 1e-4f);
    }

    [Fact]
    public void The_caption_gradient_reaches_the_vision_tower()
    {
        using var model = TestVlms.ModelForTokenizer();
        using var scope = NewDisposeScope();
        var loss = CaptionLoss.Compute(model, TestVlms.Tokenizer, TestVlms.RandomImage(3).unsqueeze(0), new[] { "a red circle" });
        loss.backward();
        var patch = model.named_parameters().First(p => p.name.EndsWith("patch_embedding.weight", StringComparison.Ordinal)).parameter;
        patch.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }
}
