package store

import "context"

// Branch is a site or agency users work from (seed 003), a second grouping
// beside teams; an away period's stand-in may be a team in one branch.
type Branch struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address,omitempty"`
	TimeZone string `json:"timezone,omitempty"` // an IANA name, or ""
	Members  int    `json:"members"`
}

const branchCols = "id, name, address, timezone, members"

func scanBranch(sc scanner) (*Branch, error) {
	var b Branch
	err := sc.Scan(&b.ID, &b.Name, &b.Address, &b.TimeZone, &b.Members)
	return &b, mapErr(err)
}

// Branches lists the branches with their member counts (kept by the
// triggers of 020_branches.sql).
func (q *Q) Branches(ctx context.Context) ([]Branch, error) {
	rows, err := q.db.QueryContext(ctx, "SELECT "+branchCols+" FROM branches ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Branch{}
	for rows.Next() {
		b, err := scanBranch(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *b)
	}
	return out, rows.Err()
}

// BranchByName finds a branch, case-insensitively; ErrNotFound if none.
func (q *Q) BranchByName(ctx context.Context, name string) (*Branch, error) {
	return scanBranch(q.db.QueryRowContext(ctx, "SELECT "+branchCols+" FROM branches WHERE name = ?", name))
}

// AddBranch creates a branch; ErrDuplicate if the name is taken.
func (q *Q) AddBranch(ctx context.Context, b *Branch) (int64, error) {
	return q.insertOne(ctx, "branches", "name, address, timezone", "(?, ?, ?)", b.Name, b.Address, b.TimeZone)
}

// UpdateBranch writes a branch's name, address and time zone; ErrDuplicate
// if the name is taken.
func (q *Q) UpdateBranch(ctx context.Context, b *Branch) error {
	_, err := q.db.ExecContext(ctx, "UPDATE branches SET name = ?, address = ?, timezone = ? WHERE id = ?",
		b.Name, b.Address, b.TimeZone, b.ID)
	return mapErr(err)
}

// RemoveBranch deletes a branch. Its members join branch moveTo first (0:
// none), and the away periods whose stand-in is a team in it name that team
// in moveTo instead (or the whole team).
func (q *Q) RemoveBranch(ctx context.Context, id, moveTo int64) error {
	if moveTo != 0 {
		if _, err := q.db.ExecContext(ctx, `INSERT OR IGNORE INTO user_branches (user_id, branch_id)
			SELECT user_id, CAST(? AS BIGINT) FROM user_branches WHERE branch_id = ?`, moveTo, id); err != nil {
			return err
		}
	}
	if _, err := q.db.ExecContext(ctx, "UPDATE away_periods SET standin_branch_id = nullif(?, 0) WHERE standin_branch_id = ?",
		moveTo, id); err != nil {
		return err
	}
	_, err := q.db.ExecContext(ctx, "DELETE FROM branches WHERE id = ?", id)
	return err
}
