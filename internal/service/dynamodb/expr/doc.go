// Package expr is DynamoDB's expression language: condition, filter and key condition
// expressions, update expressions and projection expressions, with their expression
// attribute names (#n) and values (:v).
//
// A request's expressions are parsed together in one Context, which resolves names and
// values as it goes and records which were used, so that AWS's checks (a name or value
// used but not defined, defined but not used, a reserved word where a name should be)
// answer AWS's messages. Parsing makes a tree that evaluates against items (conditions),
// changes an item (updates) or selects parts of one (projections); all values are
// attr.Values and numbers are exact decimals.
//
// The grammar, from the DynamoDB developer guide:
//
//	condition ::= operand comparator operand
//	            | operand BETWEEN operand AND operand
//	            | operand IN ( operand (, operand)* )
//	            | function
//	            | condition AND condition | condition OR condition | NOT condition
//	            | ( condition )
//	comparator ::= = | <> | < | <= | > | >=
//	function  ::= attribute_exists(path) | attribute_not_exists(path)
//	            | attribute_type(path, type) | begins_with(path, substr)
//	            | contains(path, operand)
//	operand   ::= path | :value | size(path)
//	path      ::= name ( . name | [ n ] )*      name ::= identifier | #name
//
//	update    ::= ( SET action (, action)* | REMOVE path (, path)*
//	              | ADD path :value (, path :value)* | DELETE path :value (, ...)* )+
//	action    ::= path = value
//	value     ::= term | term + term | term - term
//	term      ::= path | :value | if_not_exists(path, term) | list_append(term, term)
//
// Precedence, highest first: comparators, IN, BETWEEN, functions, parentheses, NOT,
// AND, OR.
package expr
