using IntelExchange.Api.Features.Cases;
using IntelExchange.Api.Infrastructure.Data;
using IntelExchange.Contracts;

namespace IntelExchange.Api.Tests.Features.Cases;

public sealed class CaseTransitionsTests
{
    /// <summary>DESIGN.md, "Case lifecycle", written out by hand.</summary>
    private static readonly HashSet<(string From, string To)> Designed =
    [
        ("received", "under_review"), ("received", "rejected"), ("received", "withdrawn"),
        ("under_review", "more_info_requested"), ("under_review", "order_issued"), ("under_review", "rejected"), ("under_review", "withdrawn"),
        ("more_info_requested", "under_review"), ("more_info_requested", "rejected"), ("more_info_requested", "withdrawn"),
        ("order_issued", "enforced"), ("order_issued", "lifted"),
        ("enforced", "lifted"),
    ];

    [Fact]
    public void Allows_exactly_the_designed_transitions_among_all_sixty_four_pairs()
    {
        var statuses = Enum.GetValues<CaseStatus>();
        Assert.Equal(8, statuses.Length);
        foreach (var from in statuses)
        {
            foreach (var to in statuses)
            {
                var pair = (WireNames<CaseStatus>.ToWire(from), WireNames<CaseStatus>.ToWire(to));
                Assert.True(Designed.Contains(pair) == CaseTransitions.Allows(from, to), $"{pair.Item1} -> {pair.Item2}");
            }
        }
    }

    [Theory]
    [InlineData(CaseStatus.Rejected)]
    [InlineData(CaseStatus.Withdrawn)]
    [InlineData(CaseStatus.Lifted)]
    public void Terminal_statuses_allow_no_move_at_all(CaseStatus terminal)
    {
        Assert.True(CaseTransitions.IsTerminal(terminal));
        Assert.DoesNotContain(Enum.GetValues<CaseStatus>(), to => CaseTransitions.Allows(terminal, to));
    }
}
