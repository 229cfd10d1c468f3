namespace Readiness.Contracts;

public enum RecipientKind
{
    Collective = 0,
    Individual = 1,
}
