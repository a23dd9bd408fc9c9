using IntelExchange.Api.Tests.Support;
using static IntelExchange.Api.Tests.Features.Callbacks.CallbackSteps;
using static IntelExchange.Api.Tests.Features.Cases.CaseSteps;

namespace IntelExchange.Api.Tests.Features.Callbacks;

public sealed class SecretRotationTests
{
    [Fact]
    public async Task Signs_with_the_new_and_the_old_secret_during_the_grace_period()
    {
        using var server = new ExchangeServer(LoopbackSettings());
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var oldSecret = await RegisterAsync(ifpi, receiver);
        var caseId = await OpenCaseAsync(ifpi);

        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        var beforeRotation = (await VerifiedWhenAsync(receiver, caseId, 1, "a callback before the rotation"))[0];
        var newSecret = await RegisterAsync(ifpi, receiver);
        await MoveAsync(indecopi.Http, caseId, Body("rejected"));
        var duringGrace = (await VerifiedWhenAsync(receiver, caseId, 2, "a callback after the rotation"))[1];

        Assert.Single(beforeRotation.Signature.Split(' '));
        Assert.Equal([0], beforeRotation.VerifiedBy[oldSecret]);
        Assert.Equal(2, duringGrace.Signature.Split(' ').Length);
        Assert.Equal([0], duringGrace.VerifiedBy[newSecret]);
        Assert.Equal([1], duringGrace.VerifiedBy[oldSecret]);
    }

    [Fact]
    public async Task Signs_with_the_new_secret_only_once_the_grace_period_is_over()
    {
        using var server = new ExchangeServer(LoopbackSettings(graceHours: "0"));
        using var ifpi = new Partner(server, "ifpi");
        using var indecopi = new Partner(server, "indecopi");
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var oldSecret = await RegisterAsync(ifpi, receiver);
        var newSecret = await RegisterAsync(ifpi, receiver);
        var caseId = await OpenCaseAsync(ifpi);

        await MoveAsync(indecopi.Http, caseId, Body("under_review"));
        var callback = (await VerifiedWhenAsync(receiver, caseId, 1, "a callback"))[0];

        Assert.Single(callback.Signature.Split(' '));
        Assert.Equal([0], callback.VerifiedBy[newSecret]);
        Assert.Empty(callback.VerifiedBy[oldSecret]);
    }
}
