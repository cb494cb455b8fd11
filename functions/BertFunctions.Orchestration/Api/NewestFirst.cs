namespace BertFunctions.Orchestration.Api;

/// <summary>
/// The <c>capacity</c> newest of a stream of (time, name) items, newest first and names ascending on a tie, in
/// memory bounded by the capacity however long the stream: a listing of a whole container keeps only one page.
/// </summary>
internal sealed class NewestFirst(int capacity)
{
    // A min-heap on the page order's last place: its root is the item a newer one pushes out.
    private readonly PriorityQueue<(DateTimeOffset Modified, string Name), (DateTimeOffset Modified, string Name)> heap =
        new(Comparer<(DateTimeOffset Modified, string Name)>.Create((a, b) => Order(b, a)));

    public void Offer(DateTimeOffset modified, string name)
    {
        var item = (modified, name);
        if (heap.Count < capacity)
        {
            heap.Enqueue(item, item);
        }
        else if (Order(item, heap.Peek()) < 0)
        {
            heap.EnqueueDequeue(item, item);
        }
    }

    /// <summary>The items kept, in page order.</summary>
    public List<(DateTimeOffset Modified, string Name)> InOrder()
    {
        var items = heap.UnorderedItems.Select(i => i.Element).ToList();
        items.Sort(Order);
        return items;
    }

    // Page order: newer first; on the same time, names ascending (what PageCursor.Precedes continues from).
    private static int Order((DateTimeOffset Modified, string Name) a, (DateTimeOffset Modified, string Name) b) =>
        a.Modified != b.Modified ? b.Modified.CompareTo(a.Modified) : string.CompareOrdinal(a.Name, b.Name);
}
