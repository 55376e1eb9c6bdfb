// Which originals the officer checks, per service (DESIGN.md: BAP documents, pickup rules).

export function documentsFor(service: string): string[] {
  switch (service) {
    case "new_passport":
      return ["ektp", "kk", "birth"];
    case "replacement":
      return ["ektp", "kk", "old_passport"];
    case "lost_damaged":
      return ["ektp", "kk", "birth", "police", "damaged"];
    case "pickup":
      return ["receipt", "ektp", "kk", "poa"];
    default:
      return [];
  }
}
