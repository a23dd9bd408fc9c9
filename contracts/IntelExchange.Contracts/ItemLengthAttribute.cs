namespace IntelExchange.Contracts;

/// <summary>
/// The length limits of each string in a list (what <c>[MaxLength]</c> says of the list itself). Documents the limit the
/// exchange enforces; the exchange's validators apply it.
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class ItemLengthAttribute(int minimumLength, int maximumLength) : Attribute
{
    /// <summary>Shortest allowed item.</summary>
    public int MinimumLength { get; } = minimumLength;

    /// <summary>Longest allowed item.</summary>
    public int MaximumLength { get; } = maximumLength;
}
