package imports

func (p *Planner) planPerson(c *rowCtx)   { c.fail("", "people imports are not planned yet") }
func (p *Planner) planLocation(c *rowCtx) { c.fail("", "location imports are not planned yet") }
func (p *Planner) planModel(c *rowCtx)    { c.fail("", "model imports are not planned yet") }
