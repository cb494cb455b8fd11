using System.Globalization;

namespace BertFunctions.Orchestration.Contracts;

/// <summary>
/// A label budget's one name, used in experiment job ids, progress messages, summaries and reports: the number of
/// labeled training examples, or <c>all</c> for 0 (the whole training split).
/// </summary>
public static class LabelBudgets
{
    /// <summary>The budget as ids and reports write it: <c>all</c> for 0, else its number.</summary>
    public static string Name(int budget) => budget == 0 ? "all" : budget.ToString(CultureInfo.InvariantCulture);
}
